"""Redact the audit trail of courses anonymised before anonymisation did so itself."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.models import Case
from retention import services as retention


class Command(BaseCommand):
    help = (
        "Replace the identifying values that audit events still hold of already anonymised "
        "courses with a marker (a one-way redaction). Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        ids = list(
            Case.objects.filter(anonymised_at__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for case_id in ids:
            # One course per transaction: a failure leaves the others redacted.
            with transaction.atomic():
                retention.redact_anonymised_trail(case_id)
        self.stdout.write(f"Redacted the audit trail of {len(ids)} anonymised course(s).")
