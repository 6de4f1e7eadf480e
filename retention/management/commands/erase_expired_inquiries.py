"""Erase the inquiries past their retention period; a dry run unless --apply."""

from django.conf import settings
from django.core.management.base import BaseCommand

from retention import inquiries


class Command(BaseCommand):
    help = (
        "List the inquiries that never became a course and were closed more than "
        "CMM_INQUIRY_RETENTION_MONTHS ago, none under a legal hold; with --apply, erase "
        "their caller's contact, summary and persons' aliases (the nightly job does the "
        "same). Irreversible."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="Really erase (without it nothing changes)."
        )

    def handle(self, *args, apply: bool = False, **options) -> None:
        result = inquiries.erase_due_inquiries(apply=apply)
        self.stdout.write(
            f"{len(result.references)} inquiry(ies) closed on or before "
            f"{inquiries.inquiry_cutoff():%Y-%m-%d %H:%M} "
            f"({settings.CMM_INQUIRY_RETENTION_MONTHS} months' retention), none under a legal hold."
        )
        verb = "Erased" if apply else "Would erase"
        for reference in result.references:
            self.stdout.write(f"{verb} {reference}")
        if not apply:
            self.stdout.write("Dry run: nothing was changed. Use --apply to erase.")
