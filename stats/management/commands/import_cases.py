from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stats.importer import ImportFailed, import_file


class Command(BaseCommand):
    help = "Import inquiries and cases from a JSON Lines file (docs/import-format.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
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
