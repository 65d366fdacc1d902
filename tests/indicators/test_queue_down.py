"""Queueing a job while Redis is down: the person is told at once that the
job could not be queued, and its row says so instead of staying `queued`
forever (issue 11, finding 14)."""

from __future__ import annotations

import time

import pytest

from indicators.choices import JobState
from indicators.models import JobRun
from indicators.services import NOT_QUEUED
from pf2s.celery import app
from tests.production import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down():
    port = free_port()  # closed again: nothing listens there
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url, app.conf.task_always_eager = f"redis://127.0.0.1:{port}/0", False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


def test_a_publication_asked_while_redis_is_down_says_it_was_not_queued(client, published, personas, broker_down):
    client.force_login(personas.admin)
    snapshot = published
    started = time.monotonic()
    response = client.post(
        "/admin/indicators/snapshot/", {"action": "publish_new", "_selected_action": [snapshot.pk]}, follow=True
    )
    assert time.monotonic() - started < 10
    job = JobRun.objects.latest("created_at")
    assert job.state == JobState.FAILED and job.error == NOT_QUEUED and job.finished_at
    page = response.content.decode()
    assert f"Tâche n° {job.pk} non lancée" in page and "ne répond pas" in page
