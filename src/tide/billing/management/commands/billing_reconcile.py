"""Catch card payments whose webhook never arrived: run by `runperiodic` on every tick."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tide.billing.stripe_checkout import RECONCILE_DAYS, checkout_reconcile


class Command(BaseCommand):
    help = (
        "Ask Stripe about the checkout sessions of open invoices started in the last few "
        "days, and record the payments of those that are paid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=RECONCILE_DAYS)

    def handle(self, *args, days: int, **options) -> None:
        payments = checkout_reconcile(days=days)
        if options["verbosity"] >= 1:
            self.stdout.write(f"{len(payments)} card payment(s) recorded.")
