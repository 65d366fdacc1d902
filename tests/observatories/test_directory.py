"""The observatories directory, the Club de l'observation, working groups
and the annual day's registration."""

from __future__ import annotations

import json
from html import unescape

import pytest

from bti.services import organisations_load
from observatories.models import Event, Observatory
from observatories.services import community_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(published):
    organisations_load()
    return community_load()


def test_the_directory_has_the_seeds_counts_and_filters(client, community):
    assert Observatory.objects.count() == 50
    assert Observatory.objects.filter(departement__code="59").count() == 37  # 74 % in the Nord
    html = unescape(client.get("/observatoires/").content.decode())
    assert (
        "50 observatoires recensés : 23 santé, 12 social, 10 médico-social, 3 formation, 2 politique de la ville"
        in html
    )
    assert "Annuaire de démonstration" in html
    points = json.loads(html.split('id="observatory-points" type="application/json">', 1)[1].split("</script>")[0])
    assert len(points) == 50 and all(49.0 < p["lat"] < 51.2 and 1.3 < p["lon"] < 4.3 for p in points)
    social = unescape(client.get("/observatoires/?theme=social&departement=59").content.decode())
    assert "observatoires." in social or "observatoire." in social
    count = Observatory.objects.filter(theme="social", departement__code="59").count()
    assert f"{count} observatoire" in social


def test_each_observatory_has_its_page(client, community):
    or2s = Observatory.objects.get(name__contains="OR2S")
    page = unescape(client.get(or2s.get_absolute_url()).content.decode())
    assert "Observatoire régional de la santé et du social (OR2S)" in page and "Somme" in page
    assert "Fiche de démonstration" not in page
    other = Observatory.objects.exclude(pk=or2s.pk).first()
    assert "Fiche de démonstration" in unescape(client.get(other.get_absolute_url()).content.decode())


def test_the_club_and_the_working_groups(client, community):
    club = unescape(client.get("/observatoires/club/").content.decode())
    assert "Observer les quartiers prioritaires" in club and "Statistiques locales" in club
    groups = unescape(client.get("/observatoires/groupes/").content.decode())
    for name in (
        "Minima sociaux",
        "Indicateurs composites",
        "Logement-hébergement",
        "Médico-social",
        "Santé-environnement",
    ):
        assert name in groups
    group = unescape(client.get("/observatoires/groupes/logement-hebergement/").content.decode())
    assert "Direction régionale de l'environnement" in group and "Aucun document" in group


def test_registration_to_the_annual_day(client, community):
    event = Event.objects.get(slug="journee-2027")
    event.capacity = 2
    event.save()
    page = client.post(
        f"/observatoires/evenements/{event.slug}/",
        {"name": "Ana Lys", "email": "ana@example.org", "organisation": "CD 80"},
        follow=True,
    )
    assert "Inscription enregistrée" in unescape(page.content.decode())
    again = client.post(
        f"/observatoires/evenements/{event.slug}/", {"name": "Ana", "email": "ANA@example.org"}, follow=True
    )
    # the same answer as for a new address: who is registered is nobody else's business
    assert "Inscription enregistrée" in unescape(again.content.decode()) and event.registrations.count() == 1
    client.post(f"/observatoires/evenements/{event.slug}/", {"name": "Bo", "email": "bo@example.org"})
    full = client.post(
        f"/observatoires/evenements/{event.slug}/", {"name": "Cy", "email": "cy@example.org"}, follow=True
    )
    assert "complet" in unescape(full.content.decode()) and event.registrations.count() == 2
    closed = client.post(
        "/observatoires/evenements/journee-2020/", {"name": "Dé", "email": "de@example.org"}, follow=True
    )
    assert "closes" in unescape(closed.content.decode())
    assert (
        "<script"
        not in Event.objects.create(
            slug="x", title="x", date="2027-01-01", place="x", programme="<p>ok</p><script>alert(1)</script>"
        ).programme
    )


def test_the_community_pages_are_in_the_sitemap(client, community):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/observatoires/club/" in sitemap and "/observatoires/groupes/minima-sociaux/" in sitemap
    assert "/observatoires/evenements/journee-2027/" in sitemap
    assert Observatory.objects.first().get_absolute_url() in sitemap


def test_one_client_cannot_fill_an_event(client, community):
    from observatories.views import REGISTRATIONS_PER_CLIENT as limit

    event = Event.objects.get(slug="journee-2027")
    answers = [
        client.post(
            f"/observatoires/evenements/{event.slug}/",
            {"name": f"Robot {n}", "email": f"robot{n}@example.org"},
            follow=True,
        )
        for n in range(limit + 3)
    ]
    assert event.registrations.count() == limit
    assert "Trop d'inscriptions depuis votre connexion" in unescape(answers[-1].content.decode())
    # another visitor still registers
    other = client.post(
        f"/observatoires/evenements/{event.slug}/",
        {"name": "Ana", "email": "ana@example.org"},
        REMOTE_ADDR="198.51.100.4",
        follow=True,
    )
    assert "Inscription enregistrée" in unescape(other.content.decode()) and event.registrations.count() == limit + 1
