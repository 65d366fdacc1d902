"""Every model change ships with its migration: a field added or altered
without one would reach production as a schema the code does not match."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        missing = False
    except SystemExit:  # what --check does when a migration is missing
        missing = True
    assert not missing, f"makemigrations would write a migration; run it and commit the file:\n{out.getvalue()}"
    assert "No changes detected" in out.getvalue()
