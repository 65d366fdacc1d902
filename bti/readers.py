"""Who is asking: a request's reader, resolved once from its user (session
or API token) by the partner side, which knows memberships and grants.
What a reader may see is decided in `indicators.readers`."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from indicators.readers import ANONYMOUS, Reader
from pf2s.access import EDITOR_GROUP
from pf2s.sessions import carries_credentials

from .choices import MemberRole
from .models import Membership, Organisation


def reader_for_user(user: AbstractBaseUser | AnonymousUser | None) -> Reader:
    """The reader of a user: one query (membership and the editors' group),
    a second for a trained member's organisation's grants; none for the
    anonymous public."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    if not user.is_active:
        return Reader(user_id=user.pk)
    membership = Membership.objects.filter(user=OuterRef("pk"), is_active=True, organisation__is_active=True)
    organisation_id, trained_on, role, editor = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            reader_organisation=Subquery(membership.values("organisation_id")[:1]),
            reader_trained_on=Subquery(membership.values("trained_on")[:1]),
            reader_role=Subquery(membership.values("role")[:1]),
            reader_editor=Exists(Group.objects.filter(name=EDITOR_GROUP, user=OuterRef("pk"))),
        )
        .values_list("reader_organisation", "reader_trained_on", "reader_role", "reader_editor")
        .get()
    )
    granted: frozenset[int] = frozenset()
    if organisation_id is not None and trained_on is not None:
        granted = frozenset(
            Organisation.indicators.through.objects.filter(organisation_id=organisation_id).values_list(
                "indicator_id", flat=True
            )
        )
    return Reader(
        user_id=user.pk,
        organisation_id=organisation_id,
        trained=trained_on is not None,
        organisation_admin=role == MemberRole.ORGANISATION_ADMIN,
        editor=user.is_superuser or editor,
        staff=user.is_staff,
        superuser=user.is_superuser,
        granted=granted,
    )


class ReaderMiddleware:
    """Sets `request.reader` after authentication (session or API token):
    the public without a query when the request carries no credentials,
    else resolved on first use, once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if carries_credentials(request):
            request.reader = SimpleLazyObject(lambda: reader_for_user(request.user))
        else:
            request.reader = ANONYMOUS
        return self.get_response(request)
