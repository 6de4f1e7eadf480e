"""Writing the audit trail. Every service that acts on a record calls one of these."""

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from cmm.audit.models import AuditEvent

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
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_ref=_reference(obj),
        changes=changes or {},
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )


def record_create(
    actor: AbstractBaseUser | None, obj: models.Model, fields: Iterable[str]
) -> AuditEvent:
    """A created record with its initial values."""
    values = snapshot(obj, fields)
    changes = {name: [None, value] for name, value in values.items() if value not in (None, "")}
    return record(actor, Action.CREATE, obj, changes=changes)


def record_view(actor: AbstractBaseUser, obj: models.Model) -> AuditEvent:
    """A view of a record that holds a person's data."""
    return record(actor, Action.VIEW, obj)


def record_search(actor: AbstractBaseUser, query: str, results: int) -> AuditEvent:
    """Who searched for what, and how many records they were shown."""
    return AuditEvent.objects.create(
        actor=actor, action=Action.SEARCH, changes={"query": query, "results": results}
    )


def record_download(actor: AbstractBaseUser, what: str) -> AuditEvent:
    """Who downloaded which export."""
    return AuditEvent.objects.create(actor=actor, action=Action.EXPORT, changes={"file": what})
