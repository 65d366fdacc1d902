"""The editors' group and what it may manage in the back office: the
publications and the newsletter, nothing else (staff admins manage the
rest)."""

from __future__ import annotations

from pf2s.access import EDITOR_GROUP

EDITOR_APPS = ("publications", "newsletter")


def roles_sync(app_config=None, using="default", **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    if app_config is not None and app_config.label not in EDITOR_APPS:
        return

    group, _ = Group.objects.using(using).get_or_create(name=EDITOR_GROUP)
    permissions = Permission.objects.using(using).filter(content_type__app_label__in=EDITOR_APPS)
    group.permissions.set(permissions)
