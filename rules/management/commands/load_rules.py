"""Load a rule set from a rule file (docs/rules.md): rules/mechanisms/denmark.json is the
Danish default, rules/mechanisms/illustrative.json a second, illustrative mechanism."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cmm.core.exceptions import Refused
from rules.services import RuleFileError, load_file, read_file


class Command(BaseCommand):
    help = "Load the versions of a rule file as approved versions of the rules."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--initial",
            action="store_true",
            help="Replace every version (only in a new installation, before any record).",
        )
        parser.add_argument("--check", action="store_true", help="Check the file and load nothing.")

    def handle(self, *args, file: Path, initial: bool, check: bool, **options) -> None:
        try:
            if check:
                mechanism, versions = read_file(file)
                self.stdout.write(f"{file}: {mechanism}, {len(versions)} versions, valid.")
                return
            added, unchanged = load_file(file, initial=initial)
        except (RuleFileError, Refused) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        self.stdout.write(f"{file}: {added} versions loaded, {unchanged} already held.")
