"""The quick start's SQLite under a few concurrent users: sessions written
and read from several threads at once never fail with "database is locked"
(WAL and a busy timeout, pf2s.settings.base)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = r"""
import os, threading, django
django.setup()
from django.core.management import call_command
from django.db import connection, connections
call_command("migrate", verbosity=0)
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
errors, done = [], []

def visitor(n):
    try:
        for i in range(40):
            s = SessionStore()
            s["visitor"], s["page"] = n, i
            with transaction.atomic():  # a request that reads, then writes (a login, an activity record)
                Session.objects.filter(expire_date__lt=timezone.now()).count()
                s.save()
            loaded = SessionStore(session_key=s.session_key).load()
            assert loaded["page"] == i
            s.delete()
        done.append(n)
    except Exception as exc:
        errors.append(f"{exc.__class__.__name__}: {exc}")
    finally:
        connections.close_all()

threads = [threading.Thread(target=visitor, args=(n,)) for n in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode")
    mode = c.fetchone()[0]
print(mode, len(done), len(errors), errors[:3])
"""


def test_concurrent_sessions_on_the_quick_starts_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "pf2s.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp_path}/quick.db",
            "PF2S_DATA_DIR": str(tmp_path),
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    mode, finished, failed, *_ = result.stdout.split(maxsplit=3)
    assert (mode, finished, failed) == ("wal", "8", "0"), result.stdout
