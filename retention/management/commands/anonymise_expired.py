"""Anonymise every course past the retention period; a dry run unless --apply."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cmm.core.exceptions import Refused
from retention import services as retention


class Command(BaseCommand):
    help = (
        "List the courses past the retention period (CMM_RETENTION_YEARS after they "
        "ended) that would be anonymised; with --apply, anonymise them. Legal holds are "
        "honoured. Irreversible."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Really anonymise (without it nothing is changed).",
        )

    def handle(self, *args, apply: bool = False, **options) -> None:
        due = list(retention.due_courses().values_list("pk", "reference", "ended_on"))
        verb = "Anonymising" if apply else "Would anonymise"
        self.stdout.write(
            f"{len(due)} course(s) ended on or before {retention.retention_cutoff()} "
            f"({settings.CMM_RETENTION_YEARS} years' retention), none under a legal hold."
        )
        done = 0
        for pk, reference, ended_on in due:
            self.stdout.write(f"{verb} {reference} (ended {ended_on})")
            if not apply:
                continue
            try:
                with transaction.atomic():
                    retention.anonymise_due_course(
                        actor=None,
                        case_id=pk,
                        reason="Anonymised after the retention period (anonymise_expired)",
                    )
            except Refused as refusal:
                self.stderr.write(f"Skipped {reference}: {refusal.message}")
            else:
                done += 1
        if apply:
            self.stdout.write(self.style.SUCCESS(f"{done} course(s) anonymised."))
        else:
            self.stdout.write("Dry run: nothing was changed. Use --apply to anonymise.")
