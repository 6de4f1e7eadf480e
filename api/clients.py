"""Creating, rotating and revoking API clients: one transaction and one audit event each."""

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import keys
from api.models import ApiClient, ApiKey, Scope
from cmm.audit import services as audit
from cmm.core.exceptions import Refused
from rules.codes import check_codes

# A key is given for at most this long: a partner's system is looked at again by then.
MAX_VALIDITY = timedelta(days=2 * 366)
CLIENT_FIELDS = ("name", "partner_type", "authority", "contact", "scopes", "expires_on")


def client_errors(data: dict) -> dict[str, str]:
    """What is wrong with a client's scopes, authority and expiry, by field: one set of
    rules for the administrators' form and the command."""
    errors = {}
    scopes = data.get("scopes") or []
    if not scopes or set(scopes) - set(Scope.values):
        errors["scopes"] = _("Choose at least one scope from the list.")
    decides = Scope.DECISIONS_SUBMIT in scopes
    if decides and not data.get("authority"):
        errors["authority"] = _(
            "A client that submits decisions needs the authority it decides as."
        )
    if not decides and data.get("authority"):
        errors["authority"] = _("Only a client that submits decisions decides as an authority.")
    today = timezone.localdate()
    expires_on = data.get("expires_on")
    if expires_on is not None and expires_on <= today:
        errors["expires_on"] = _("The expiry date must be in the future.")
    elif expires_on is not None and expires_on > today + MAX_VALIDITY:
        errors["expires_on"] = _("The expiry date can be at most two years ahead.")
    return errors


def _check(data: dict) -> None:
    errors = client_errors(data)
    if errors:
        raise Refused(next(iter(errors.values())))
    if ApiClient.objects.filter(name__iexact=data["name"]).exists():
        raise Refused(_("A client with this name exists already."))


@transaction.atomic
def client_create(
    *,
    actor: AbstractBaseUser | None,
    name: str,
    partner_type: str,
    contact: str,
    scopes: list[str],
    expires_on: date,
    authority: str = "",
) -> tuple[ApiClient, str]:
    """A new client and its first key, which is returned this once and never again."""
    data = {
        "name": name.strip(),
        "partner_type": partner_type,
        "authority": authority,
        "contact": contact.strip(),
        "scopes": sorted(set(scopes)),
        "expires_on": expires_on,
    }
    _check(data)
    check_codes(ApiClient, data)
    # The account the services record as the actor: inactive and without a password, it
    # can never log in to the pages.
    account = User(username=f"api-client-{timezone.now():%Y%m%d%H%M%S%f}", is_active=False)
    account.first_name = data["name"][:150]
    account.last_name = "(API)"
    account.set_unusable_password()
    account.save()
    client = ApiClient.objects.create(account=account, created_by=actor, **data)
    account.username = f"api-client-{client.pk}"
    account.save(update_fields=["username"])
    key = keys.issue(client)
    audit.record_create(actor, client, CLIENT_FIELDS)
    return client, key


def _lock(client_id: int) -> ApiClient:
    return ApiClient.objects.select_for_update().get(pk=client_id)


@transaction.atomic
def client_rotate(*, actor: AbstractBaseUser | None, client_id: int) -> str:
    """A new key for the client; its old keys stop working at once."""
    client = _lock(client_id)
    if client.revoked_at is not None:
        raise Refused(_("A revoked client gets no new key."))
    if client.is_expired:
        raise Refused(_("An expired client gets no new key: create the client again."))
    ApiKey.objects.filter(client=client, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key = keys.issue(client)
    audit.record(
        actor,
        audit.Action.UPDATE,
        client,
        changes={"key_issued_at": [None, timezone.now().isoformat()]},
    )
    return key


@transaction.atomic
def client_revoke(*, actor: AbstractBaseUser | None, client_id: int, reason: str = "") -> None:
    """Revoke the client and every key of it, for good: its next request is refused."""
    client = _lock(client_id)
    if client.revoked_at is not None:
        raise Refused(_("This client is revoked already."))
    now = timezone.now()
    client.revoked_at = now
    client.save(update_fields=["revoked_at"])
    ApiKey.objects.filter(client=client, revoked_at__isnull=True).update(revoked_at=now)
    audit.record(
        actor,
        audit.Action.UPDATE,
        client,
        changes={"revoked_at": [None, now.isoformat()]},
        reason=reason,
    )
