"""The test world: the region's real geography and the small catalogue's
published snapshot, loaded once into the test database (tests/conftest.py).

Tests that roll back never change it. A transactional test (the browser
tests, the worker tests) ends with Django flushing every table, after which
the next test had to load the geography and publish again: about 50 s on
the CI machine, twenty-five times a run. Instead, on PostgreSQL:

- the world's tables are kept as binary COPY data right after the first
  load (`world_keep`), and a statement trigger on each of them notes in
  `test_world_dirty` any write (insert, update, delete, truncate, cascades
  included), which a rolled-back test's rollback takes back with it;
- a transactional test's teardown (`world_flush`, in place of Django's
  flush) empties every other table as the flush does, empties the world's
  tables that were written to, copies those back and sends post_migrate
  as the flush does (roles, permissions, content types). A test that only
  reads costs a few TRUNCATEs; one that republished, a copy of the tables
  it changed.

The snapshot's files stay on disk (nothing removes a published snapshot's
directory), so the restored row points at files that exist. Only the
project's own tables can be kept: the auth and content-type tables are
filled again by post_migrate after each flush, with new ids, so no kept row
may point into them (checked). Elsewhere (SQLite), Django's flush is left
as it is and the world is loaded again after it.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connections, transaction

SMALL_CATALOGUE = settings.BASE_DIR / "tests" / "fixtures" / "catalogue_small.json"

#: the apps whose tables make up the world
PROJECT_APPS = ("indicators", "bti", "opendata", "publications", "newsletter", "observatories")
DIRTY = "test_world_dirty"

#: table → its rows as binary COPY data, in the order they were kept
_KEPT: dict[str, bytes] = {}


def publish_small_catalogue():
    """A small catalogue (one indicator of each kind), demo data, a snapshot."""
    from indicators.catalogue import catalogue_load, catalogue_read
    from indicators.demo_data import demo_data_load
    from indicators.publish import snapshot_publish

    catalogue_load(data=catalogue_read(SMALL_CATALOGUE))
    demo_data_load()
    return snapshot_publish()


def _world_models() -> list:
    return [
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def world_keep(using: str = "default") -> dict[str, int]:
    """Copy the world's non-empty tables out of the database and watch them
    for writes; the number of bytes kept per table ({} where not PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {}
    _KEPT.clear()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # no key: two connections writing the same table never wait on each other's mark
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {DIRTY} (name text NOT NULL)")
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {DIRTY}_note() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {DIRTY} (name) VALUES (TG_TABLE_NAME);
                RETURN NULL;
            END $$"""
        )
        for model in _world_models():
            table = model._meta.db_table
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
            if not cursor.fetchone()[0]:
                continue
            for field in model._meta.concrete_fields:
                target = field.related_model
                if target is None or target._meta.app_label in PROJECT_APPS:
                    continue
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(field.column)} IS NOT NULL)")
                if cursor.fetchone()[0]:
                    raise RuntimeError(
                        f"{table}.{field.column} points into {target._meta.db_table}, "
                        "which a flush refills with new ids: the world cannot keep it"
                    )
            data = bytearray()
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT BINARY)") as copy:
                for block in copy:
                    data += block
            _KEPT[table] = bytes(data)
            for event, when in (("INSERT OR UPDATE OR DELETE", "AFTER"), ("TRUNCATE", "AFTER")):
                trigger = quote(f"{DIRTY}_{'t' if event == 'TRUNCATE' else 'w'}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {quote(table)}")
                cursor.execute(
                    f"CREATE TRIGGER {trigger} {when} {event} ON {quote(table)} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {DIRTY}_note()"
                )
        cursor.execute(f"DELETE FROM {DIRTY}")
    return {table: len(data) for table, data in _KEPT.items()}


def world_written(using: str = "default") -> set[str]:
    """The world's tables written to since they were kept or last restored."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT name FROM {DIRTY}")
        return {name for (name,) in cursor.fetchall()}


def world_flush(using: str = "default") -> bool:
    """Empty the database as Django's flush does, but put the world back as it
    was kept, copying only the tables written to. False (nothing done) where
    no world was kept: the caller flushes as Django does."""
    if not _KEPT:
        return False
    connection = connections[using]
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # the DELETEs below are checked once the world is back
        written = world_written(using)
        emptied = {t for t in tables if t not in _KEPT or t in written}
        cursor.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
        )
        references = cursor.fetchall()
        # TRUNCATE empties a table only with every table pointing at it; a
        # world table left as it is (pointing at an empty job table, say)
        # would be reached by CASCADE, so those are emptied with DELETE (the
        # keys are checked at commit, once the world is back)
        truncated = set(emptied)
        while blocked := {target for source, target in references if target in truncated and source not in truncated}:
            truncated -= blocked
        if truncated:
            cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in sorted(truncated))}")
        for table in sorted(emptied - truncated):
            cursor.execute(f"DELETE FROM {quote(table)}")
        _copy_back(connection, cursor, [t for t in _KEPT if t in written])
        # only the marks read: a write committed meanwhile (a worker's) stays noted
        cursor.execute(f"DELETE FROM {DIRTY} WHERE name = ANY(%s)", [sorted(written)])
    emit_post_migrate_signal(0, False, using)
    _caches_forget()
    return True


def _caches_forget() -> None:
    """What this process remembers of the database: the current snapshot,
    own territories' files, and answers (keyed by the snapshot's directory,
    which the restored world shares with the one before: a new access
    version and an empty local memory make them all unreachable)."""
    from indicators.snapshot_store import current_snapshot_forget, own_caches_clear
    from pf2s import conditional

    current_snapshot_forget()
    own_caches_clear()
    conditional._LOCAL.clear()
    conditional._DATES.clear()
    conditional.access_changed()


def _copy_back(connection, cursor, tables: list[str]) -> None:
    """COPY the kept rows of `tables` back, foreign keys unchecked where the
    role allows it (they were consistent when kept; checking two million
    observations at commit takes longer than the copy), else checked at
    commit (Django's keys are deferrable). Sequences are left alone, as
    Django's flush leaves them: they are past the kept ids already, and an
    id must never be given twice: an own territory's version names its
    figures' file in the world snapshot's directory, an organisation's id
    the answers cached for its partners."""
    quote = connection.ops.quote_name
    try:
        with transaction.atomic(using=connection.alias):  # a savepoint: a refusal leaves the rest usable
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:  # not a superuser: the keys are checked at commit
        pass
    for table in tables:
        with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_KEPT[table])
