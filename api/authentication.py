"""A partner's key in `Authorization: Bearer <key>`, and nothing else, opens the API."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api import keys
from api.models import ApiClient

# A missing, malformed, unknown, revoked or expired key all get this one answer: a caller
# learns nothing about which keys exist.
REFUSED = _("A valid API key is required.")
# Last use is written at most this often, not on every request.
LAST_USE_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request) -> tuple:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            raise exceptions.AuthenticationFailed(REFUSED)
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(REFUSED) from exc
        row = keys.find(key)
        if row is None or not row.client.is_usable:
            raise exceptions.AuthenticationFailed(REFUSED)
        client = row.client
        account = client.account
        # The permission backend reads the client from here; the audit trail names it.
        account._api_client = client
        account.audit_client = client.reference
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > LAST_USE_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
        return account, client

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) without a valid key.
        return 'Bearer realm="api"'
