"""The baseline of the engine benchmark: the same observation rows read the
same way, then one bare pandas group-by to every territory (communes, EPCI,
départements, region, composites) per variable, year and age band. No rates,
no secrecy, nothing written."""

from __future__ import annotations

import os
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pf2s.settings.local")
    django.setup()
    import pandas as pd

    from indicators.models import Territory
    from indicators.observation_store import observations_read

    started = time.perf_counter()
    rows = observations_read()
    pairs = []
    for cid, epci, dep, region in Territory.objects.filter(level="commune").values_list(
        "id", "epci_id", "departement_id", "region_id"
    ):
        pairs += [(cid, cid), (cid, epci), (cid, dep), (cid, region)]
    through = Territory.members.through.objects.values_list("to_territory_id", "from_territory_id")
    pairs += list(through)
    membership = pd.DataFrame(pairs, columns=["territory_id", "aggregate_id"])
    merged = rows.merge(membership, on="territory_id")
    totals = merged.groupby(["variable_id", "aggregate_id", "period", "age_band"])["value"].sum()
    print(f"baseline rows={len(rows)} groups={len(totals)} seconds={time.perf_counter() - started:.2f}")


if __name__ == "__main__":
    main()
