import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from tide.website.demo import DEMO_TOTP_SECRET, STAFF_EMAIL


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo staff account (its secret is public)."

    def handle(self, *args, **options) -> None:
        from allauth.mfa.models import Authenticator

        if not Authenticator.objects.filter(
            user__email=STAFF_EMAIL, type=Authenticator.Type.TOTP
        ).exists():
            raise CommandError(
                f"{STAFF_EMAIL} has no authenticator; load the demo first (`tide load_demo`)."
            )
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30)))
