"""Every editorial URL for every persona: readers read, editors manage
publications and the newsletter, partners and subscribers manage nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from newsletter.models import Campaign, Subscriber
from publications.models import Article, RevueIssue
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(published):
    issue = RevueIssue.objects.create(
        number=7,
        published_on=dt.date(2026, 9, 1),
        title="Rentrée",
        is_public=True,
        pdf=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    Article.objects.create(
        title="Focus logement",
        slug="focus-logement",
        theme="logement",
        state="published",
        issue=issue,
        rubrique="focus",
    )
    Article.objects.create(title="Brouillon", slug="brouillon", theme="sante")
    subscriber = Subscriber.objects.create(email="s@example.org", status="confirmed")
    campaign = Campaign.objects.create(subject="Lettre")
    from bti.services import organisations_load
    from observatories.services import community_load

    organisations_load()
    community_load()
    from observatories.models import Observatory

    return {"token": subscriber.token, "campaign": campaign.pk, "observatory": Observatory.objects.first().slug}


def editor_only(persona):
    return {"anonymous": 302, "editor": 200, "admin": 200}.get(persona, 403)


def staff_admin(persona):
    """The Django admin: staff only (editors see their models, nothing else)."""
    return {"editor": 200, "admin": 200}.get(persona, 302 if persona == "anonymous" else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_editorial_urls_answer_each_persona_as_they_should(client, personas, content, persona):
    personas.log_in(client, persona)
    public = [
        "/publications/",
        "/publications/focus-logement/",
        "/publications/revue/",
        "/publications/revue/7/",
        "/publications/revue/7/revue.pdf",
        "/publications/flux.rss",
        "/publications/flux.atom",
        "/lettre/",
        f"/lettre/desabonnement/{content['token']}/",
        f"/lettre/mes-donnees/{content['token']}/",
    ]
    for url in public:
        assert client.get(url).status_code == 200, (persona, url)
    assert client.get("/publications/brouillon/").status_code == (200 if persona in ("editor", "admin") else 404)
    for url in ("/publications/gestion/", "/lettre/gestion/", f"/lettre/gestion/{content['campaign']}/"):
        response = client.get(url)
        assert response.status_code == editor_only(persona), (persona, url, response.status_code)
    for url in ("/admin/publications/article/", "/admin/newsletter/campaign/", "/admin/newsletter/subscriber/"):
        response = client.get(url)
        expected = staff_admin(persona)
        if persona == "anonymous":
            assert response.status_code == 302, url
        else:
            assert response.status_code == expected, (persona, url, response.status_code)
    for url in (
        "/observatoires/",
        "/observatoires/club/",
        "/observatoires/groupes/",
        "/observatoires/groupes/minima-sociaux/",
        "/observatoires/evenements/journee-2027/",
        f"/observatoires/{content['observatory']}/",
    ):
        assert client.get(url).status_code == 200, (persona, url)
    admin_pages = (
        "/admin/observatories/observatory/",
        "/admin/observatories/workinggroup/",
        "/admin/observatories/event/",
    )
    for url in admin_pages:  # staff admins manage observatories, groups and events; editors do not
        expected = {"admin": 200, "anonymous": 302}.get(persona, 403)
        assert client.get(url).status_code == expected, (persona, url)
    # editors manage publications, not partners nor trainings
    if persona == "editor":
        assert client.get("/admin/bti/organisation/").status_code == 403
        assert client.get("/admin/publications/article/add/").status_code == 200


@pytest.mark.parametrize("persona", ["anonymous", "subscriber", "partner_a", "partner_a_admin"])
def test_only_editors_send_campaigns(client, personas, content, persona):
    personas.log_in(client, persona)
    client.post(f"/lettre/gestion/{content['campaign']}/", {"send": "1"})
    assert Campaign.objects.get(pk=content["campaign"]).status == "draft"
