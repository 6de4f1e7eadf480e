"""Put an inquiry under a legal hold, or lift it (--lift)."""

from django.core.management.base import BaseCommand, CommandError

from cmm.core.exceptions import Refused
from retention import inquiries


class Command(BaseCommand):
    help = "Keep an inquiry from erasure under a legal hold, with a reason; --lift lifts it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("reference")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--lift", action="store_true")

    def handle(self, *args, reference: str, reason: str, lift: bool, **options) -> None:
        change = inquiries.inquiry_legal_hold_lift if lift else inquiries.inquiry_legal_hold_set
        try:
            change(actor=None, reference=reference, reason=reason)
        except Refused as refusal:
            raise CommandError(str(refusal.message)) from refusal
        self.stdout.write(f"Legal hold {'lifted from' if lift else 'set on'} {reference}.")
