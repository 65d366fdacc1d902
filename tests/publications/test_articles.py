"""Articles and the revue: states and scheduling, sanitising, uploads,
live figures, feeds, sitemap, search, the editors' top 10."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from indicators.models import Indicator
from publications.models import Article, RevueIssue
from publications.services import articles_publish_due

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def article(**fields) -> Article:
    defaults = {
        "title": "Le logement des jeunes",
        "slug": "logement-jeunes",
        "theme": "logement",
        "chapo": "Un focus régional.",
        "body": "<p>Texte</p>",
        "state": "published",
    }
    return Article.objects.create(**{**defaults, **fields})


def test_drafts_are_hidden_scheduled_ones_appear_on_time(client, personas):
    article(slug="brouillon", title="Brouillon caché", state="draft")
    article(
        slug="demain", title="Programmé demain", state="scheduled", publish_at=timezone.now() + dt.timedelta(days=1)
    )
    article(slug="hier", title="Programmé hier", state="scheduled", publish_at=timezone.now() - dt.timedelta(hours=1))
    listing = client.get("/publications/").content.decode()
    assert "Programmé hier" in listing and "Programmé demain" not in listing and "Brouillon caché" not in listing
    assert client.get("/publications/demain/").status_code == 404
    assert client.get("/publications/brouillon/").status_code == 404
    client.force_login(personas.editor)  # an editor previews
    preview = client.get("/publications/demain/").content.decode()
    assert "Aperçu éditeur" in preview
    assert articles_publish_due() == 1
    assert Article.objects.get(slug="hier").state == "published"


def test_a_scheduled_article_needs_a_date():
    with pytest.raises(ValidationError):
        Article(title="x", slug="x", theme="sante", state="scheduled").full_clean()


def test_the_body_is_sanitised_on_save():
    a = article(
        body='<p onclick="x()">Bonjour <script>alert(1)</script><a href="javascript:alert(1)">lien</a>'
        '<a href="https://www.insee.fr">Insee</a><iframe src="https://evil"></iframe></p>'
    )
    assert "script" not in a.body and "onclick" not in a.body and "javascript:" not in a.body
    assert "iframe" not in a.body and 'href="https://www.insee.fr"' in a.body and "Bonjour" in a.body


def test_uploads_are_checked_by_signature_and_size():
    issue = RevueIssue(number=12, published_on=dt.date(2026, 10, 1), title="Automne")
    issue.pdf = SimpleUploadedFile("revue.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError, match="PDF"):
        issue.full_clean()
    issue.pdf = SimpleUploadedFile("revue.pdf", PDF)
    issue.cover = SimpleUploadedFile("cover.png", PDF)  # a PDF named .png
    with pytest.raises(ValidationError, match="image"):
        issue.full_clean()
    issue.cover = SimpleUploadedFile("cover.png", PNG)
    issue.full_clean()
    for name in ("cover.svg", "cover.html", "cover.jpg", "cover"):  # a PNG under another name is refused
        issue.cover = SimpleUploadedFile(name, PNG)
        with pytest.raises(ValidationError, match="doit finir par .png"):
            issue.full_clean()
    issue.cover = SimpleUploadedFile("Couverture.PNG", PNG)
    issue.full_clean()
    issue.pdf = SimpleUploadedFile("revue.pdf.html", PDF)
    with pytest.raises(ValidationError, match="doit finir par .pdf"):
        issue.full_clean()
    issue.pdf = SimpleUploadedFile("revue.pdf", PDF)
    big = SimpleUploadedFile("huge.png", PNG + b"\x00" * (6 * 1024 * 1024))
    issue.cover = big
    with pytest.raises(ValidationError, match="trop lourde"):
        issue.full_clean()


def test_revue_files_are_served_with_safe_headers(client):
    issue = RevueIssue.objects.create(
        number=12,
        published_on=dt.date(2026, 10, 1),
        title="Automne",
        is_public=True,
        pdf=SimpleUploadedFile("revue.pdf", PDF),
    )
    response = client.get(f"/publications/revue/{issue.number}/revue.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    RevueIssue.objects.create(number=13, published_on=dt.date(2027, 1, 1), title="Hiver", is_public=False)
    assert client.get("/publications/revue/13/").status_code == 404
    assert "Automne" in client.get("/publications/revue/").content.decode()


def test_an_article_shows_a_live_figure_of_the_current_snapshot(client, published):
    a = article()
    a.indicators.set([Indicator.objects.get(code="SOI-01"), Indicator.objects.get(code="ALL-02")])
    html = client.get("/publications/logement-jeunes/").content.decode()
    assert "pour 10 000" in html and "Hauts-de-France" in html
    assert "allocataires de l" not in html.split("key-figures", 1)[1].split("</aside>", 1)[0]  # ALL-02: partners


def test_feeds_sitemap_and_search_list_public_articles_only(client):
    article(title="Public et lisible")
    article(slug="secret", title="Brouillon interne", state="draft")
    rss = client.get("/publications/flux.rss")
    assert rss.status_code == 200 and "Public et lisible" in rss.content.decode()
    assert "Brouillon interne" not in rss.content.decode()
    atom = ET.fromstring(client.get("/publications/flux.atom").content)
    assert [e.text for e in atom.iter("{http://www.w3.org/2005/Atom}title")][1:] == ["Public et lisible"]
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/publications/logement-jeunes/" in sitemap and "/publications/secret/" not in sitemap
    found = client.get("/recherche/", {"q": "lisible"}).content.decode()
    assert "Public et lisible" in found
    assert "Brouillon interne" not in client.get("/recherche/", {"q": "brouillon"}).content.decode()


def test_filters_and_the_editors_top_ten(client, personas):
    for n in range(12):
        a = article(slug=f"a{n}", title=f"Article {n:02d}", theme="sante" if n % 2 else "social")
        for _ in range(n):
            client.get(f"/publications/{a.slug}/")
    assert "Article 03" in client.get("/publications/?theme=sante").content.decode()
    assert "Article 03" not in client.get("/publications/?theme=social").content.decode()
    client.force_login(personas.editor)
    page = client.get("/publications/gestion/").content.decode()
    ranked = [f"Article {n:02d}" for n in range(11, 1, -1)]
    positions = [page.index(title) for title in ranked]
    assert positions == sorted(positions) and "Article 01" not in page.split("<table", 1)[1]
    assert Article.objects.get(slug="a11").view_count == 11


def test_public_forms_refuse_large_bodies(client):
    """A public form takes a few fields, never a file: big multipart bodies stop at the door."""
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    for url in ("/lettre/", "/compte/login/", "/observatoires/evenements/journee-2027/"):
        response = client.post(url, {"email": "a@example.org", "file": Upload("x.bin", b"x" * (100 * 1024))})
        assert response.status_code == 413, url
        assert "Envoi trop volumineux" in response.content.decode()
    assert client.post("/lettre/", {"email": "a@example.org", "consent": "on"}).status_code in {200, 302}
    # logged-in areas take longer forms, but no upload: 2 MiB at most before any view reads them
    huge = client.post("/bti/territoires/", {"name": "x", "file": Upload("x.bin", b"x" * (3 * 1024 * 1024))})
    assert huge.status_code == 413
