"""Create an API client (printing its key once), rotate its key, or revoke it."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api import clients
from api.models import ApiClient, Scope
from cmm.core.exceptions import Refused


class Command(BaseCommand):
    help = "Manage the partners' API clients: create | rotate | revoke."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="A new client; its key is printed once.")
        create.add_argument("--name", required=True)
        create.add_argument("--partner-type", required=True, help="A caller-type code.")
        create.add_argument("--contact", required=True)
        create.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )
        create.add_argument("--authority", default="", help="For decisions:submit.")
        create.add_argument("--expires", type=date.fromisoformat, help="YYYY-MM-DD")
        for name, text in (("rotate", "A new key; the old one stops."), ("revoke", "For good.")):
            action = sub.add_parser(name, help=text)
            action.add_argument("client", help="The client's reference (API-3) or name.")
            if name == "revoke":
                action.add_argument("--reason", required=True)

    def _client(self, label: str) -> ApiClient:
        number = label.upper().removeprefix("API-")
        found = ApiClient.objects.filter(pk=int(number)) if number.isdigit() else None
        if not found:
            found = ApiClient.objects.filter(name=label)
        client = found.first()
        if client is None:
            raise CommandError(f"No API client {label!r}.")
        return client

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "create":
                client, key = clients.client_create(
                    actor=None,
                    name=options["name"],
                    partner_type=options["partner_type"],
                    contact=options["contact"],
                    scopes=options["scopes"],
                    authority=options["authority"],
                    expires_on=options["expires"] or timezone.localdate() + timedelta(days=365),
                )
            elif action == "rotate":
                client = self._client(options["client"])
                key = clients.client_rotate(actor=None, client_id=client.pk)
            else:
                client = self._client(options["client"])
                clients.client_revoke(actor=None, client_id=client.pk, reason=options["reason"])
                self.stdout.write(f"{client.reference} {client.name} is revoked.")
                return
        except Refused as refusal:
            raise CommandError(str(refusal.message)) from refusal
        self.stdout.write(f"{client.reference} {client.name}")
        self.stdout.write(f"Key (shown once, store it now): {key}")
