"""The leak canary's markers and crawl: numbers planted in a restricted
indicator and in a secret commune cell, the pages, exports and API answers
they must not reach, and how a response is read. Shared by the anonymous
canary (tests/opendata/test_leak_canary.py) and the partners' one
(tests/bti/test_leak_canary_partners.py)."""

from __future__ import annotations

import io
import re
import zipfile

from indicators.models import Indicator, Observation, Snapshot, Territory
from indicators.publish import snapshot_publish

PARTNER_MARKER = 987654  # every value of the partners-only revenue indicator
SECRET_DENOMINATOR = 654321  # allocataires of a commune whose AAH count is secret (7)


class Marker:
    """A planted number, found only whole (digits inside a longer number or
    a float's mantissa are not a leak), plain or with French thousands
    separators; or a planted phrase. The pattern starts with its first
    digits, so the regex engine scans for them at string-search speed (a
    look-behind first made the crawl's megabytes of commune figures a third
    of its time); the character before is checked by hand."""

    def __init__(self, pattern: str, whole_number: bool = True):
        self.pattern = pattern
        self.regex = re.compile(pattern)
        self.whole_number = whole_number

    def search(self, text: str) -> re.Match | None:
        start = 0
        while (found := self.regex.search(text, start)) is not None:
            before = text[found.start() - 1] if found.start() else ""
            if not self.whole_number or not before or not (before.isdecimal() or before in ".,"):
                return found
            start = found.start() + 1  # a match may begin inside the one refused
        return None


MARKERS = [
    Marker(r"987[\s\u202f\xa0]?654(?!\d)"),
    Marker(r"654[\s\u202f\xa0]?321(?!\d)"),
    Marker("Revenu témoin réservé", whole_number=False),
]


def markers_plant(*, access: str, label: str, organisations=()) -> Snapshot:
    """Plant the markers and publish: the revenue indicator (EMP-01) restricted
    to `access` (and `organisations`) with every value PARTNER_MARKER, and
    Amiens' AAH share made secret (7 beneficiaries) over SECRET_DENOMINATOR
    allocataires."""
    revenue = Indicator.objects.get(code="EMP-01")
    revenue.access = access
    revenue.label = label
    revenue.save()
    if organisations:
        for organisation in organisations:  # the grant, on the partner side
            organisation.indicators.add(revenue)
    Observation.objects.filter(variable__code="revenu_median").update(value=PARTNER_MARKER)
    amiens = Territory.objects.get(level="commune", code="80021")
    Observation.objects.filter(variable__code="allocataires", territory=amiens).update(value=SECRET_DENOMINATOR)
    Observation.objects.filter(variable__code="allocataires_aah", territory=amiens).update(value=7)
    return snapshot_publish()


def unpack(body: bytes) -> str:
    """Text of a body; archives (XLSX, the dump zip) read part by part, nested too."""
    if body[:4] != b"PK\x03\x04":
        return body.decode("utf-8", "ignore")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return " ".join(unpack(archive.read(name)) for name in archive.namelist())


def texts(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return unpack(body)


def public_urls(client) -> list[str]:
    urls = [
        "/",
        "/indicateurs/",
        "/donnees-ouvertes/",
        "/donnees-ouvertes/telecharger/",
        "/comparer/?indicators=EMP-01,ALL-01&territories=commune:80021,epci:248000531",
        "/indicateurs/?q=revenu",
        "/indicateurs/?q=t%C3%A9moin",
        "/api/v1/indicators/",
        "/api/v1/categories/",
        "/api/schema/",
        "/api/docs/",
        "/territoires/",
        "/territoires/commune/80021/",
        "/territoires/epci/248000531/",
        "/plan-du-site/",
        "/sitemap.xml",
        "/robots.txt",
        "/recherche/?q=revenu",
        "/recherche/?q=t%C3%A9moin",
        "/recherche/?q=amiens",
        "/recherche/?q=allocataires",
    ]
    for indicator in client.get("/api/v1/indicators/").json():
        code = indicator["code"]
        urls += [f"/api/v1/indicators/{code}/", f"/api/v1/indicators/{code}/values/"]
        for level in ("region", "departement", "epci"):
            for fmt in ("csv", "xlsx", "geojson", "svg"):
                urls.append(f"/indicateurs/{code}/export.{fmt}?level={level}")
            urls.append(f"/indicateurs/{code}/?level={level}")
            urls.append(f"/api/v1/indicators/{code}/values/?level={level}")
    # what an anonymous visitor might try on purpose
    urls += [
        "/indicateurs/EMP-01/",
        "/indicateurs/EMP-01/export.csv",
        "/indicateurs/EMP-01/export.xlsx",
        "/embed/indicateurs/EMP-01/carte/",
        "/embed/indicateurs/ALL-01/carte/?level=commune",
        "/api/v1/indicators/EMP-01/",
        "/api/v1/indicators/EMP-01/values/",
        "/api/v1/indicators/ALL-01/values/?level=commune",
        "/indicateurs/ALL-01/export.csv?level=commune",
        "/indicateurs/ALL-01/?level=commune",
    ]
    return urls


def crawl(client, urls: list[str], markers) -> int:
    """Fetch every URL: none may fail (500) or show a marker. The number fetched."""
    crawled = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        body = texts(response)
        for marker in markers:
            assert not marker.search(body), f"{marker.pattern} found in {url}"
        crawled += 1
    return crawled
