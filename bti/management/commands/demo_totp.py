from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bti.services import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Affiche le code TOTP du moment des comptes de démonstration (démarrage rapide seulement)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Réservé au démarrage rapide (DEBUG) : les comptes de démonstration n'existent pas ailleurs.")
        now = int(time.time())
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // 30))
        self.stdout.write(f"{code}  (valable encore {30 - now % 30} s)")
