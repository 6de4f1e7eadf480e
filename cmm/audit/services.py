"""Writing the audit trail. Every service that acts on a record calls one of these."""

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.utils import timezone

from cmm.audit.models import AuditEvent
from cmm.audit.personal import REDACTED, mask
from cmm.core.names import fold

Action = AuditEvent.Action


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` on `obj`, as JSON-ready data (foreign keys as ids)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = _json_value(field.value_from_object(obj))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level changes as {field: [before, after]}, only for fields that changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def _acting(actor: AbstractBaseUser | None) -> dict[str, Any]:
    """Who an event names: the user (none for a command), and the API client an actor acts
    for, which the partner interface marks on the actor it authenticated (`audit_client`)."""
    return {
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "client": getattr(actor, "audit_client", ""),
    }


def _reference(obj: models.Model) -> str:
    return str(getattr(obj, "reference", "") or "")


def record(
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    *,
    changes: dict[str, Any] | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
) -> AuditEvent:
    """Append one event. Changes must be recorded inside the transaction that makes them."""
    if action != Action.VIEW and not connection.in_atomic_block:
        # An event outside the action's transaction could survive a rolled-back action
        # or vanish while the action stays: both break the trail's promise.
        raise RuntimeError("Audit events for changes must be written inside transaction.atomic().")
    # Identifying fields are recorded as changed, never with their values: anonymisation
    # could not erase them from an append-only trail.
    changes = mask(obj._meta.label_lower, changes or {})
    return AuditEvent.objects.create(
        **_acting(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_ref=_reference(obj),
        changes=changes,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )


def record_create(
    actor: AbstractBaseUser | None, obj: models.Model, fields: Iterable[str]
) -> AuditEvent:
    """A created record with its initial values (identifying ones only as set)."""
    values = snapshot(obj, fields)
    changes = {name: [None, value] for name, value in values.items() if value not in (None, "")}
    return record(actor, Action.CREATE, obj, changes=changes)


def record_view(actor: AbstractBaseUser, obj: models.Model) -> AuditEvent:
    """A view of a record that holds a person's data."""
    return record(actor, Action.VIEW, obj)


def record_search(actor: AbstractBaseUser, query: str, results: int) -> AuditEvent:
    """Who searched for what, and how many records they were shown."""
    return AuditEvent.objects.create(
        **_acting(actor), action=Action.SEARCH, changes={"query": query, "results": results}
    )


def record_download(actor: AbstractBaseUser, what: str) -> AuditEvent:
    """Who downloaded which export."""
    return AuditEvent.objects.create(**_acting(actor), action=Action.EXPORT, changes={"file": what})


def _redact(
    event: AuditEvent, changes: dict[str, Any], now: datetime.datetime, reason: str | None = None
) -> None:
    event.changes = changes
    if reason is not None:
        event.reason = reason
    event.redacted_at = now
    event.save()


def redact_events(events: QuerySet) -> int:
    """Replace the identifying values still held in `events` (written before they were
    masked on the way in) with the marker, and so the free text of every reason (a
    transition's, a legal hold's: typed by hand, it may say anything about the person):
    the one change the trail allows, once per event. Call it inside the anonymisation's
    transaction. Returns how many changed."""
    now = timezone.now()
    redacted = 0
    for event in (
        events.filter(redacted_at__isnull=True)
        .exclude(Q(changes={}) & Q(reason=""))
        .select_related("content_type")
        .order_by("pk")
    ):
        masked = event.changes
        if event.content_type is not None:
            label = f"{event.content_type.app_label}.{event.content_type.model}"
            masked = mask(label, event.changes)
        reason = REDACTED if event.reason else ""
        if masked != event.changes or reason != event.reason:
            _redact(event, masked, now, reason)
            redacted += 1
    return redacted


def searched_for(query: str, names: Iterable[str]) -> bool:
    """Whether a search query was for someone with these names: every word of the query
    begins a word of the names, compared folded (accents, Danish letters, case)."""
    words = fold(query).split()
    name_words = {w for name in names for w in fold(name or "").split()}
    return bool(words) and all(
        any(name_word.startswith(word) for name_word in name_words) for word in words
    )


def redact_searches(names: Iterable[str]) -> int:
    """Replace the query of every search for someone with these names with the marker,
    keeping who searched, when and how many records they were shown."""
    names = [n for n in names if n and fold(n)]
    if not names:
        return 0
    now = timezone.now()
    redacted = 0
    searches = AuditEvent.objects.filter(action=Action.SEARCH, redacted_at__isnull=True)
    for pk, changes in searches.values_list("pk", "changes").iterator():
        query = (changes or {}).get("query")
        if isinstance(query, str) and searched_for(query, names):
            event = AuditEvent.objects.get(pk=pk)
            _redact(event, {**changes, "query": REDACTED}, now)
            redacted += 1
    return redacted
