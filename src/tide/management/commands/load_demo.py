"""The demo association: each app's demo data, loaded once; running it again keeps what is there."""

from django.core.management.base import BaseCommand
from django.db import transaction

from tide.directory.demo import demo_directory
from tide.education.demo import demo_education
from tide.mailing.demo import demo_mailing
from tide.membership.demo import demo_membership
from tide.website.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, MEMBER_EMAIL, STAFF_EMAIL, demo_load


class Command(BaseCommand):
    help = "Load the demo association (once; running it again keeps existing data) and print the logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        created = demo_load()
        demo_membership()
        demo_directory()
        demo_education()
        demo_mailing()
        self.stdout.write(
            "Demo association " + ("created." if created else "already there; kept as it is.")
        )
        self.stdout.write(
            "\n"
            f"  Staff (back office):  {STAFF_EMAIL} / {DEMO_PASSWORD}\n"
            f"      two-factor code:  run `.venv/bin/tide demo_mfa_code` (authenticator secret {DEMO_TOTP_SECRET})\n"
            f"  Member:               {MEMBER_EMAIL} / {DEMO_PASSWORD}\n"
        )
