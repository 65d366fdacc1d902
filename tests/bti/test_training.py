"""The training gate: members register to a session, staff record
attendance, and only then may the member query the BTI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bti.models import TrainingSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(db):
    soon = timezone.now() + dt.timedelta(days=10)
    return [
        TrainingSession.objects.create(starts_at=soon, place="Amiens, OR2S", capacity=2),
        TrainingSession.objects.create(
            starts_at=soon + dt.timedelta(days=30), mode="remote", place="Visio (lien envoyé aux inscrits)", capacity=12
        ),
        TrainingSession.objects.create(starts_at=timezone.now() - dt.timedelta(days=3), place="Lille", capacity=5),
    ]


def test_an_untrained_member_sees_why_and_the_next_sessions(client, published, personas, sessions):
    client.force_login(personas.partner_a_untrained)
    page = client.get("/bti/").content.decode()
    assert "pas encore enregistrée" in page and "Amiens, OR2S" in page and "Lille" not in page  # past
    refused = client.get("/api/v1/indicators/ALL-01/values/?level=commune")
    assert refused.status_code == 400 and "partenaires formés" in refused.json()["detail"]


def test_registration_then_attendance_opens_the_bti(client, published, personas, sessions):
    session = sessions[0]
    client.force_login(personas.partner_a_untrained)
    response = client.post(f"/bti/formations/{session.pk}/inscription/", follow=True)
    assert "Inscription enregistrée" in response.content.decode()
    assert "Annuler mon inscription" in client.get("/bti/formations/").content.decode()
    again = client.post(f"/bti/formations/{session.pk}/inscription/", follow=True)
    assert "déjà inscrit" in again.content.decode()

    client.force_login(personas.admin)
    page = client.get(f"/bti/gestion/formations/{session.pk}/presences/").content.decode()
    assert "arthur@example.org" in page
    client.post(f"/bti/gestion/formations/{session.pk}/presences/", {"present": [personas.partner_a_untrained.pk]})
    personas.partner_a_untrained.membership.refresh_from_db()
    assert personas.partner_a_untrained.membership.trained_on == timezone.localdate(session.starts_at)

    client.force_login(personas.partner_a_untrained)
    assert client.get("/api/v1/indicators/ALL-01/values/?level=commune").status_code == 200
    assert "Formation suivie le" in client.get("/bti/").content.decode()


def test_a_full_or_past_session_refuses_registration(client, personas, sessions):
    full, _, past = sessions
    for persona in (personas.partner_a, personas.partner_b):
        client.force_login(persona)
        client.post(f"/bti/formations/{full.pk}/inscription/")
    client.force_login(personas.partner_a_untrained)
    response = client.post(f"/bti/formations/{full.pk}/inscription/", follow=True)
    assert "complète" in response.content.decode()
    assert full.registrations.count() == 2
    response = client.post(f"/bti/formations/{past.pk}/inscription/", follow=True)
    assert "déjà commencé" in response.content.decode() and not past.registrations.exists()


def test_an_absent_member_stays_untrained(client, personas, sessions):
    client.force_login(personas.partner_a_untrained)
    client.post(f"/bti/formations/{sessions[1].pk}/inscription/")
    client.force_login(personas.admin)
    client.post(f"/bti/gestion/formations/{sessions[1].pk}/presences/", {"present": []})
    personas.partner_a_untrained.membership.refresh_from_db()
    assert personas.partner_a_untrained.membership.trained_on is None
    assert "absent" in client.get(f"/bti/gestion/formations/{sessions[1].pk}/presences/").content.decode()


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("anonymous", 302),
        ("subscriber", 403),
        ("partner_a", 403),
        ("partner_a_admin", 403),
        ("editor", 403),
        ("admin", 200),
    ],
)
def test_only_staff_record_attendance(client, personas, sessions, persona, expected):
    personas.log_in(client, persona)
    assert client.get(f"/bti/gestion/formations/{sessions[0].pk}/presences/").status_code == expected


def test_registration_needs_a_post_and_a_membership(client, personas, sessions):
    client.force_login(personas.partner_a)
    assert client.get(f"/bti/formations/{sessions[0].pk}/inscription/").status_code == 405
    client.force_login(personas.subscriber)
    assert client.post(f"/bti/formations/{sessions[0].pk}/inscription/").status_code == 403


def test_an_unknown_session_is_a_404_not_an_error(client, personas, sessions):
    client.force_login(personas.partner_a)
    assert client.post("/bti/formations/999999/inscription/").status_code == 404
    assert client.post("/bti/formations/999999/desinscription/").status_code == 404
    client.force_login(personas.admin)
    assert client.get("/bti/gestion/formations/999999/presences/").status_code == 404
