"""Fast bulk writes and reads of observations (millions of rows): COPY on
PostgreSQL, executemany on SQLite. Used by services only."""

from __future__ import annotations

import io

import pandas as pd
from django.db import connection

from .models import Observation

TABLE = Observation._meta.db_table
COLUMNS = ["variable_id", "territory_id", "period", "age_band", "value", "marker", "batch_id", "is_demo"]


def observations_write(frame: pd.DataFrame) -> int:
    """Insert rows (columns COLUMNS) into the observation table; the caller
    has removed any row with the same key first. Returns rows written."""
    if frame.empty:
        return 0
    frame = frame[COLUMNS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
            sql = f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with cursor.cursor.copy(sql) as copy:
                copy.write(buffer.getvalue())
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            cursor.executemany(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({placeholders})", list(rows))
    return len(frame)


def observations_read(variable_ids: list[int] | None = None) -> pd.DataFrame:
    """Every observation as a frame: variable_id, territory_id, period,
    age_band, value, marker, is_demo."""
    columns = ["variable_id", "territory_id", "period", "age_band", "value", "marker", "is_demo"]
    where = ""
    if variable_ids is not None:
        where = f" WHERE variable_id IN ({', '.join(str(int(v)) for v in variable_ids) or 'NULL'})"
    sql = f"SELECT {', '.join(columns)} FROM {TABLE}{where}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            frame = pd.read_csv(
                buffer,
                names=columns,
                header=None,
                keep_default_na=False,
                na_values={"value": [""]},
                dtype={"age_band": str, "marker": str},
            )
            frame["is_demo"] = frame["is_demo"].map({"t": True, "f": False, True: True, False: False})
        else:
            cursor.execute(sql)
            frame = pd.DataFrame(cursor.fetchall(), columns=columns)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["age_band"] = frame["age_band"].fillna("").astype(str)
    frame["marker"] = frame["marker"].fillna("").astype(str)
    frame["is_demo"] = frame["is_demo"].astype(bool)
    return frame
