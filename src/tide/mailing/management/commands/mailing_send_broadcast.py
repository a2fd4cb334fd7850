from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tide.mailing.models import Broadcast
from tide.mailing.sending import broadcast_send_batches


class Command(BaseCommand):
    help = (
        "Send a broadcast that is sending, in this process (what the background task does). "
        "Safe beside other workers: each recipient is sent once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("broadcast_id", type=int)

    def handle(self, *args, broadcast_id: int, **options) -> None:
        if not Broadcast.objects.filter(pk=broadcast_id).exists():
            raise CommandError(f"No broadcast {broadcast_id}.")
        status = broadcast_send_batches(broadcast_id)
        self.stdout.write(f"Broadcast {broadcast_id}: {status}.")
