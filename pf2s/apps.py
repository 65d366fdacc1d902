from __future__ import annotations

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class Pf2sConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pf2s"
    verbose_name = "Plateforme"

    def ready(self) -> None:
        from . import demo  # noqa: F401  (registers the deploy check)
        from .admin_initial import install
        from .roles import roles_sync
        from .sessions import session_activity_start

        user_logged_in.connect(session_activity_start, dispatch_uid="pf2s-session-activity")

        install()  # the admin's add forms never 500 on a bad ?field= initial value

        # after every migrate, the roles' permissions match the code
        post_migrate.connect(roles_sync, dispatch_uid="pf2s-roles-sync")
