from pathlib import Path

from django.core.management.base import BaseCommand

from stats.exports import export_year


class Command(BaseCommand):
    help = (
        "Write a year's statistics as JSON, XLSX and a CSV per table (exact, internal), the "
        "research extract (also in HTCDS form) and, with CMM_PUBLIC_MIN_COUNT set, the public "
        "variant in which counts under the threshold are shown as <N."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, year: int, output: Path, **options) -> None:
        for path in export_year(year, output):
            self.stdout.write(str(path))
