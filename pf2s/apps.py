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

        # cached answers never outlive a change of who may see what (pf2s.conditional)
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .conditional import access_changed

        for model in ("indicators.Indicator", "bti.OwnTerritory", "bti.Membership", "bti.Organisation"):
            for signal in (post_save, post_delete):
                signal.connect(access_changed, sender=apps.get_model(model), dispatch_uid=f"pf2s-access-{model}")
        m2m_changed.connect(
            access_changed, sender=apps.get_model("bti.Organisation").indicators.through, dispatch_uid="pf2s-grants"
        )
