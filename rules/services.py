"""Proposing, approving and loading versions of the rules. Every change is audited; none
touches a version that governs a day already begun."""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from cmm.audit import services as audit
from cmm.core.exceptions import Refused
from rules.models import RuleVersion
from rules.values import RuleError, Rules, history_problems, parse

Status = RuleVersion.Status
FIELDS = ("effective_from", "values", "reason", "status", "source")


def in_force(day: date | None = None) -> RuleVersion:
    """The approved version governing `day` (today by default)."""
    day = day or timezone.localdate()
    approved = RuleVersion.objects.filter(status=Status.APPROVED)
    return (
        approved.filter(effective_from__lte=day).order_by("-effective_from").first()
        or approved.order_by("effective_from").first()
    )


def check_history(
    values: dict[str, Any], effective_from: date, others: list[Rules] | None = None
) -> None:
    """RuleError if the version would drop a code of the version before it or count a
    code under another category than the other approved versions (`others`; by default
    those held, but for one of the same date, which it would replace)."""
    version = parse(values, effective_from)
    if others is None:
        others = [
            parse(held.values, held.effective_from)
            for held in RuleVersion.objects.filter(status=Status.APPROVED)
            .exclude(effective_from=effective_from)
            .order_by("effective_from")
        ]
    problems = history_problems(version, others)
    if problems:
        raise RuleError(problems)


def _refuse_history(values: dict[str, Any], effective_from: date) -> None:
    try:
        check_history(values, effective_from)
    except RuleError as error:
        raise Refused(str(error)) from error


def _check_future(effective_from: date) -> None:
    # Today has begun under the version in force: records of today are already judged by
    # it. A change takes effect from tomorrow at the earliest.
    if effective_from <= timezone.localdate():
        raise Refused(
            _(
                "A new version takes effect from tomorrow at the earliest; the rules of a day "
                "already begun are never changed."
            )
        )


@transaction.atomic
def version_propose(
    *, actor: AbstractBaseUser, effective_from: date, values: dict[str, Any], reason: str
) -> RuleVersion:
    """A supervisor's proposal of a new version; it takes effect once another supervisor
    approves it."""
    if not actor.has_perm("rules.propose_ruleversion"):
        raise PermissionDenied
    _check_future(effective_from)
    parse(values, effective_from)
    _refuse_history(values, effective_from)
    if not reason.strip():
        raise Refused(_("Say why the rules change."))
    if RuleVersion.objects.filter(status=Status.APPROVED, effective_from=effective_from).exists():
        raise Refused(_("A version already takes effect on this date."))
    version = RuleVersion.objects.create(
        effective_from=effective_from,
        values=values,
        reason=reason.strip(),
        proposed_by=actor,
        source="proposal",
    )
    audit.record_create(actor, version, FIELDS)
    return version


def _lock_proposal(version_id: int) -> RuleVersion:
    version = RuleVersion.objects.select_for_update().get(pk=version_id)
    if version.status != Status.PROPOSED:
        raise Refused(_("This proposal has already been decided."))
    return version


def _decide(actor: AbstractBaseUser, version: RuleVersion, status: str, note: str) -> None:
    before = version.status
    version.status = status
    version.decided_by = actor
    version.decided_at = timezone.now()
    version.decision_note = note.strip()
    version.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        actor,
        audit.Action.TRANSITION,
        version,
        transition=status,
        from_state=before,
        to_state=status,
        reason=version.decision_note,
    )


@transaction.atomic
def version_approve(*, actor: AbstractBaseUser, version_id: int, note: str = "") -> RuleVersion:
    """Another supervisor's approval: from its date the version is in force."""
    if not actor.has_perm("rules.approve_ruleversion"):
        raise PermissionDenied
    version = _lock_proposal(version_id)
    if version.proposed_by_id == actor.pk:
        raise Refused(_("A second supervisor approves: not the one who proposed it."))
    _check_future(version.effective_from)
    parse(version.values, version.effective_from)
    # A version approved since the proposal may have added a code this one lacks.
    _refuse_history(version.values, version.effective_from)
    if RuleVersion.objects.filter(
        status=Status.APPROVED, effective_from=version.effective_from
    ).exists():
        raise Refused(_("A version already takes effect on this date."))
    _decide(actor, version, Status.APPROVED, note)
    return version


@transaction.atomic
def version_reject(*, actor: AbstractBaseUser, version_id: int, note: str) -> RuleVersion:
    """Another supervisor turns the proposal down, saying why; the proposer may withdraw it."""
    version = _lock_proposal(version_id)
    mine = version.proposed_by_id == actor.pk
    if not (mine and actor.has_perm("rules.propose_ruleversion")) and not actor.has_perm(
        "rules.approve_ruleversion"
    ):
        raise PermissionDenied
    if not note.strip():
        raise Refused(_("Say why the proposal is turned down."))
    _decide(actor, version, Status.WITHDRAWN if mine else Status.REJECTED, note)
    return version


class RuleFileError(ValueError):
    pass


def read_file(path: Path) -> tuple[str, list[tuple[date, str, dict]]]:
    """A rule file's mechanism name and its versions (date, reason, values), every version
    checked; RuleFileError says what is wrong and where."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuleFileError(
            _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc}
        ) from exc
    if not isinstance(data, dict) or data.get("format") != 1:
        raise RuleFileError(
            _('%(file)s is not a rule file (it needs "format": 1).') % {"file": path}
        )
    versions, seen = [], set()
    for i, entry in enumerate(data.get("versions") or [], start=1):
        day = parse_date(str(entry.get("effective_from", ""))) if isinstance(entry, dict) else None
        if day is None:
            raise RuleFileError(
                _("Version %(n)s: effective_from is not a date (YYYY-MM-DD).") % {"n": i}
            )
        if day in seen:
            raise RuleFileError(
                _("Version %(n)s: two versions from %(day)s.") % {"n": i, "day": day}
            )
        seen.add(day)
        reason = str(entry.get("reason", "")).strip()
        if not reason:
            raise RuleFileError(_("Version %(n)s: the reason is missing.") % {"n": i})
        try:
            earlier = [parse(values, held) for held, _reason, values in versions if held < day]
            check_history(entry.get("values"), day, others=earlier)
        except RuleError as exc:
            raise RuleFileError(
                _("Version %(n)s (%(day)s): %(errors)s") % {"n": i, "day": day, "errors": exc}
            ) from exc
        versions.append((day, reason, entry["values"]))
    if not versions:
        raise RuleFileError(_("%(file)s holds no versions.") % {"file": path})
    return str(data.get("mechanism", "")), sorted(versions, key=lambda v: v[0])


@transaction.atomic
def load_file(path: Path, *, initial: bool = False) -> tuple[int, int]:
    """Load a rule file's versions as approved (an operator's act, audited without a
    user). Versions already held with the same values are skipped; a different version of
    a day already begun is refused: history is not rewritten. With `initial`, the file
    replaces every version, allowed only while no course or inquiry has been recorded (a
    new installation for another mechanism). Returns (added, unchanged)."""
    from django.apps import apps

    _mechanism, versions = read_file(path)
    today = timezone.localdate()
    if initial:
        if any(
            apps.get_model(*m.split(".")).objects.exists()
            for m in ("cases.Case", "referrals.Inquiry")
        ):
            raise Refused(
                _("Records exist: a rule set can replace the rules only in a new installation.")
            )
        RuleVersion.objects.all().delete()
    added = unchanged = 0
    for day, reason, values in versions:
        held = RuleVersion.objects.filter(status=Status.APPROVED, effective_from=day).first()
        if held is not None and held.values == values:
            unchanged += 1
            continue
        _refuse_history(values, day)
        if not initial and day <= today:
            raise Refused(
                _(
                    "The version from %(day)s is in force or past: it can only be succeeded by a "
                    "later one, not loaded over."
                )
                % {"day": day}
            )
        if held is not None:
            # A future version not yet in force may be replaced by the file's.
            held.status = Status.WITHDRAWN
            held.decision_note = f"Replaced by {path.name}"
            held.decided_at = timezone.now()
            held.save(update_fields=["status", "decision_note", "decided_at"])
            audit.record(
                None,
                audit.Action.TRANSITION,
                held,
                transition="withdrawn",
                from_state=Status.APPROVED,
                to_state=Status.WITHDRAWN,
                reason=held.decision_note,
            )
        version = RuleVersion.objects.create(
            effective_from=day,
            values=values,
            reason=reason,
            status=Status.APPROVED,
            source=path.name,
            decided_at=timezone.now(),
        )
        audit.record_create(None, version, FIELDS)
        added += 1
    return added, unchanged
