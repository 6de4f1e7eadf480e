"""Applying a django-fsm transition the one right way: checked, saved and audited."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from cmm.audit import services as audit
from cmm.core.exceptions import Conflict, Refused


def refusal_for(obj: models.Model, name: str) -> str | None:
    """Why transition `name` cannot run on `obj` now, or None when it can."""
    method = getattr(obj, name)
    if not can_proceed(method, check_conditions=False):
        return _("This step is not possible in the current state.")
    if not can_proceed(method):
        meta = method._django_fsm.get_transition(obj.state)
        return str(meta.custom.get("refused", _("The conditions for this step are not met.")))
    return None


def may_take(actor: AbstractBaseUser, obj: models.Model, name: str) -> bool:
    """Whether `actor` holds the permission of transition `name` on `obj`, in any state."""
    meta = getattr(obj, name)._django_fsm
    return any(t.has_perm(obj, actor) for t in meta.transitions.values())


def apply_transition(
    actor: AbstractBaseUser,
    obj: models.Model,
    name: str,
    *,
    reason: str = "",
    audited_fields: tuple[str, ...] = (),
    **kwargs: Any,
) -> None:
    """Run transition `name` on a row the caller has locked, save it and write its event.

    Must run inside the caller's transaction. Refuses with a message when the state does
    not allow it or a condition is unmet, and with PermissionDenied when the actor lacks
    the transition's permission on this object.
    """
    # Permission before state: someone who may never take this step learns nothing of
    # the record's state from the refusal.
    if not may_take(actor, obj, name):
        raise PermissionDenied
    refusal = refusal_for(obj, name)
    if refusal:
        raise Refused(refusal)
    before = audit.snapshot(obj, audited_fields)
    from_state = obj.state
    getattr(obj, name)(**kwargs)
    if hasattr(obj, "version"):
        obj.version += 1
    if hasattr(obj, "state_changed_at"):
        # Queues measure how long a record has waited in its state.
        obj.state_changed_at = timezone.now()
    if hasattr(obj, "last_activity_at"):
        obj.last_activity_at = timezone.now()
    try:
        obj.save()
    except ConcurrentTransition as exc:
        raise Conflict(
            _("Someone else changed this record at the same time. Reload and try again.")
        ) from exc
    audit.record(
        actor,
        audit.Action.TRANSITION,
        obj,
        transition=name,
        from_state=from_state,
        to_state=obj.state,
        reason=reason,
        changes=audit.diff(before, audit.snapshot(obj, audited_fields)),
    )
