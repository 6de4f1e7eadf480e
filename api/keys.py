"""API keys: made by djangorestframework-api-key's generator, stored only as its hash."""

from rest_framework_api_key.crypto import KeyGenerator

from api.models import ApiKey

_generator = KeyGenerator(prefix_length=12, secret_key_length=40)


def issue(client) -> str:
    """A new key for `client`, returned this once; only its hash is kept."""
    key, prefix, hashed = _generator.generate()
    ApiKey.objects.create(client=client, prefix=prefix, hashed_key=hashed)
    return key


def find(key: str) -> ApiKey | None:
    """The key's live row (with its client) if `key` is one we issued and did not revoke."""
    prefix, dot, _secret = key.partition(".")
    if not dot or not prefix:
        return None
    row = (
        ApiKey.objects.select_related("client__account")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if row is None or not _generator.verify(key, row.hashed_key):
        return None
    return row
