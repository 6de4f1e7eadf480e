import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stats.importer import ImportFailed, check_file, import_file


class Command(BaseCommand):
    help = "Import inquiries and cases from a JSON Lines file (docs/import-format.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; print the year figures the file would give, as "
            "export_statistics writes them (with --year, exactly that year's JSON).",
        )
        parser.add_argument("--year", type=int, help="With --check: only this year.")

    def handle(self, *args, file: Path, check: bool, year: int | None, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            if check:
                figures = check_file(file, [year] if year else None)
                shown = figures[year] if year else {str(y): f for y, f in figures.items()}
                self.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False))
                return
            result = import_file(file)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Nothing was imported: {len(failure.errors)} problem(s) in {file}."
            ) from failure
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.inquiries} inquiries and {result.cases} cases; "
                f"{result.skipped} already imported records left as they were."
            )
        )
