from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from bti.demo import DEMO_TOTP_SECRET
from pf2s.demo import DemoCommand


class Command(DemoCommand):
    help = "Affiche le code TOTP du moment des comptes de démonstration (démarrage rapide seulement)."

    def handle(self, *args, **options):
        now = int(time.time())
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // 30))
        self.stdout.write(f"{code}  (valable encore {30 - now % 30} s)")
