"""Every URL has an audience, and anonymous visitors cannot reach the others."""

from __future__ import annotations

import pytest

from pf2s.access import Audience, view_audience
from tests.routes import ROUTES

pytestmark = pytest.mark.django_db


def test_it_finds_the_routes():
    names = {name for _, name, *_ in ROUTES}
    assert {"home", "territory-detail", "bti-home", "admin:index", "readyz"} <= names


@pytest.mark.parametrize("route,name,namespace,callback,path", ROUTES, ids=[r[0] for r in ROUTES])
def test_every_url_is_classified(route, name, namespace, callback, path):
    assert view_audience(callback, name, namespace) in set(Audience), (
        f"{route} ({name}) has no audience: declare it with pf2s.access.audience()"
    )


NON_PUBLIC = [r for r in ROUTES if r[4] and view_audience(r[3], r[1], r[2]) != Audience.PUBLIC]


def test_there_are_non_public_urls_of_each_kind():
    kinds = {view_audience(r[3], r[1], r[2]) for r in NON_PUBLIC}
    assert kinds == {Audience.PARTNER, Audience.ORGANISATION_ADMIN, Audience.EDITOR, Audience.ADMIN}


@pytest.mark.parametrize("route,name,namespace,callback,path", NON_PUBLIC, ids=[r[0] for r in NON_PUBLIC])
def test_anonymous_requests_to_non_public_urls_are_refused(client, route, name, namespace, callback, path):
    response = client.get(path)
    assert response.status_code in {302, 401, 403, 404}, (route, response.status_code)
    if response.status_code == 302:
        assert response["Location"].startswith(("/compte/login/", "/admin/login/"))
    if response.status_code == 404:
        # a sample id that does not exist: only admin change pages may answer so, and only
        # after the login check of the admin site redirected us
        pytest.fail(f"{route} answered 404 to an anonymous visitor before checking access")


def test_an_unclassified_view_is_refused(client, settings):
    from django.http import HttpResponse
    from django.urls import include, path

    def naked(request):
        return HttpResponse("should not be served")

    import types

    module = types.ModuleType("naked_urls")
    module.urlpatterns = [path("naked/", naked), path("", include("pf2s.urls"))]
    settings.ROOT_URLCONF = module
    response = client.get("/naked/")
    assert response.status_code == 403
    assert b"should not be served" not in response.content


def test_partner_pages_refuse_users_of_other_audiences(client, personas):
    client.force_login(personas.subscriber)
    assert client.get("/bti/").status_code == 403
    client.force_login(personas.editor)
    assert client.get("/bti/").status_code == 403
    client.force_login(personas.partner_a)
    assert client.get("/bti/").status_code == 200
    assert client.get("/publications/gestion/").status_code == 403
    client.force_login(personas.editor)
    assert client.get("/publications/gestion/").status_code == 200
    assert client.get("/admin/").status_code == 200  # editors are staff of the back office
    client.force_login(personas.partner_a)
    assert client.get("/admin/").status_code == 403
    client.force_login(personas.admin)
    assert client.get("/admin/").status_code == 200
