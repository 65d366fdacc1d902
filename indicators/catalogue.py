"""Loading the indicator catalogue (categories, sources, variables,
indicators) from its JSON fixture. Idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .choices import Access, IndicatorKind
from .models import Category, Indicator, Source, Variable

CATALOGUE_FIXTURE = settings.BASE_DIR / "fixtures" / "catalogue.json"


class CatalogueError(ValueError):
    pass


def catalogue_read(path: Path = CATALOGUE_FIXTURE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@transaction.atomic
def catalogue_load(*, data: dict) -> dict[str, int]:
    """Create or update every entry of the catalogue; returns counts."""
    categories = {}
    for row in data["categories"]:
        categories[row["code"]], _ = Category.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "order": row["order"], "description": row.get("description", "")},
        )
    sources = {}
    for row in data["sources"]:
        sources[row["code"]], _ = Source.objects.update_or_create(
            code=row["code"],
            defaults={k: row.get(k, "") for k in ("name", "provider", "description", "url")}
            | {"secrecy_threshold": row["secrecy_threshold"]},
        )
    variables = {}
    for row in data["variables"]:
        if row["source"] not in sources:
            raise CatalogueError(f"Variable {row['code']} : source inconnue {row['source']}")
        variables[row["code"]], _ = Variable.objects.update_or_create(
            code=row["code"],
            defaults={
                "label": row["label"],
                "source": sources[row["source"]],
                "by_age": row.get("by_age", False),
                "history": row.get("history", "annual"),
                "demo": row.get("demo", {}),
                "is_value": "value_mean" in row.get("demo", {}),
            },
        )
    for row in data["variables"]:
        wholes = []
        for code in row.get("within", []):
            whole = variables.get(code)
            if whole is None:
                raise CatalogueError(f"Variable {row['code']} : partie d'une variable inconnue {code}")
            part = variables[row["code"]]
            if part.by_age and not whole.by_age:
                raise CatalogueError(
                    f"Variable {row['code']} : par âge, elle ne peut être partie de {code} (sans tranche d'âge)"
                )
            wholes.append(whole)
        variables[row["code"]].wholes.set(wholes)
    for row in data["indicators"]:
        if row.get("organisations"):
            # a grant is the partner side's (bti.Organisation.indicators), decided in its admin
            raise CatalogueError(
                f"Indicateur {row['code']} : les organisations autorisées se désignent dans "
                "l'administration des organisations partenaires, pas dans le catalogue"
            )
        try:
            numerator = variables[row["numerator"]]
            denominator = variables[row["denominator"]] if row.get("denominator") else None
            category = categories[row["category"]]
        except KeyError as exc:
            raise CatalogueError(f"Indicateur {row['code']} : référence inconnue {exc}") from exc
        if row["access"] not in Access.values:
            raise CatalogueError(f"Indicateur {row['code']} : accès inconnu {row['access']}")
        if row["kind"] not in IndicatorKind.values:
            raise CatalogueError(f"Indicateur {row['code']} : nature inconnue {row['kind']}")
        indicator, _ = Indicator.objects.update_or_create(
            code=row["code"],
            defaults={
                "category": category,
                "label": row["label"],
                "short_label": row["short_label"],
                "definition": row["definition"],
                "method": row.get("method", ""),
                "unit": row["unit"],
                "kind": row["kind"],
                "numerator": numerator,
                "denominator": denominator,
                "multiplier": row.get("multiplier") or 1,
                "ages": row.get("ages") or "",
                "period_kind": row["period_kind"],
                "pool_years": row.get("pool_years"),
                "levels": row["levels"],
                "access": row["access"],
                "caveats": row.get("caveats", ""),
                **_release(row, variables),
            },
        )
        indicator.sources.set([sources[code] for code in row["sources"]])
    return {
        "categories": len(categories),
        "sources": len(sources),
        "variables": len(variables),
        "indicators": len(data["indicators"]),
    }


def _release(row: dict, variables: dict) -> dict:
    """A supplied value's release rule: the count it rests on and the
    source's threshold below which it is withheld."""
    base, threshold = row.get("release_base"), row.get("release_threshold")
    if row["kind"] != IndicatorKind.VALUE:
        if base or threshold:
            raise CatalogueError(f"Indicateur {row['code']} : seuil de diffusion réservé aux valeurs fournies")
        return {"release_base": None, "release_threshold": None}
    if not base or not threshold or base not in variables:
        raise CatalogueError(
            f"Indicateur {row['code']} : une valeur fournie déclare sa base de diffusion "
            "(variable de comptage) et son seuil"
        )
    return {"release_base": variables[base], "release_threshold": int(threshold)}
