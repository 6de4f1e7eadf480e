"""The work queues supervisors review every morning (domain.md, roles; issue: queues).

Each queue's rule lives here and only here: which records belong to it at a moment, and the
order they are worked in. A contact person sees the same queues limited to their own cases.
The queues of records kept on a floor above (the prepared returns) are registered by their
app, with the kind of record they list (repatriation/plugins.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

import rules
from cases.models import CaseState
from cases.models.case import AWAITING_DECISION, OPEN_CASE_STATES
from cases.selectors import cases_visible_to
from cmm.core.roles import Role, has_role
from cmm.core.workdays import previous_working_day
from referrals.models import OPEN_STATES, Inquiry, InquiryState, Urgency
from rules import codes
from rules.lookup import spans
from rules.values import Rules

CASE, INQUIRY = "case", "inquiry"


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str
    kind: str
    # (records visible to the user, now) -> the records in the queue, in working order
    rule: Callable[[QuerySet, datetime], QuerySet]


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def by_own_date(field: str, condition: Callable[[Rules], Q], *, moment: bool = True) -> Q:
    """`condition` with the limits of the rules in force on each record's own date in
    `field` (a moment, or a date with moment=False): one condition per version of the rules,
    each bounded to the dates that version governs, so a change of a limit never moves the
    records of earlier dates."""

    def bound(day: date) -> date | datetime:
        return _start_of_day(day) if moment else day

    combined = None
    for span in spans():
        part = condition(span.rules)
        if span.starts is not None:
            part &= Q(**{f"{field}__gte": bound(span.starts)})
        if span.ends is not None:
            part &= Q(**{f"{field}__lt": bound(span.ends)})
        combined = part if combined is None else combined | part
    return combined


def untriaged_cutoff(now: datetime, version: Rules) -> datetime:
    """Inquiries received before this moment are past their deadline: triage is due by the
    end of the rules' working days after the day an inquiry came in (one in Denmark)."""
    day = previous_working_day(
        timezone.localdate(now), version.calendar, version.queues.untriaged_working_days
    )
    return _start_of_day(day)


def reflection_horizon(now: datetime, version: Rules) -> date:
    """Reflection periods ending on or before this day are in the queue (overdue ones too)."""
    return timezone.localdate(now) + timedelta(days=version.queues.reflection_warning_days)


def titled(text: str, setting: Callable[[Rules], int]):
    """A queue's title naming today's limit, worded when it is shown."""
    return lazy(lambda: str(text).format(days=setting(rules.today())), str)()


QUEUES = [
    Queue(
        "unassigned",
        _("Awaiting a contact person"),
        CASE,
        lambda qs, now: qs.filter(state=CaseState.AWAITING_ASSIGNMENT).order_by(
            "-is_urgent", "opened_at", "id"
        ),
    ),
    Queue(
        "urgent-inquiries",
        _("Urgent inquiries"),
        INQUIRY,
        lambda qs, now: (
            qs.filter(state__in=OPEN_STATES)
            .exclude(urgency=Urgency.NONE)
            .order_by("received_at", "id")
        ),
    ),
    Queue(
        "untriaged",
        _("Inquiries not triaged within a working day"),
        INQUIRY,
        lambda qs, now: qs.filter(
            by_own_date("received_at", lambda v: Q(received_at__lt=untriaged_cutoff(now, v))),
            state=InquiryState.RECEIVED,
        ).order_by("received_at", "id"),
    ),
    Queue(
        "awaiting-interview",
        _("Awaiting a first interview"),
        CASE,
        lambda qs, now: qs.filter(state=CaseState.AWAITING_INTERVIEW).order_by(
            "-is_urgent", "state_changed_at", "id"
        ),
    ),
    Queue(
        "awaiting-cmm",
        _("Awaiting assessment by CMM"),
        CASE,
        lambda qs, now: qs.filter(state=CaseState.AWAITING_CMM_ASSESSMENT).order_by(
            "state_changed_at", "id"
        ),
    ),
    Queue(
        "awaiting-decision",
        _("Awaiting the Immigration Service or a court"),
        CASE,
        lambda qs, now: qs.filter(
            state__in=[s for s in AWAITING_DECISION if s != CaseState.AWAITING_CMM_ASSESSMENT]
        ).order_by("report_sent_on", "id"),
    ),
    Queue(
        "reflection-ending",
        titled(
            _("Reflection periods ending within {days} days or over"),
            lambda v: v.queues.reflection_warning_days,
        ),
        CASE,
        lambda qs, now: qs.filter(
            by_own_date(
                "reflection_period__ends_on",
                lambda v: Q(reflection_period__ends_on__lte=reflection_horizon(now, v)),
                moment=False,
            ),
            state=CaseState.IN_SUPPORT,
        ).order_by("reflection_period__ends_on", "id"),
    ),
    Queue(
        "inactive",
        titled(_("No activity for {days} days"), lambda v: v.queues.inactive_days),
        CASE,
        lambda qs, now: qs.filter(
            by_own_date(
                "last_activity_at",
                lambda v: Q(last_activity_at__lt=now - timedelta(days=v.queues.inactive_days)),
            ),
            state__in=OPEN_CASE_STATES,
        ).order_by("last_activity_at", "id"),
    ),
]
BY_SLUG = {q.slug: q for q in QUEUES}


@dataclass(frozen=True)
class Kind:
    """A kind of record listed in queues, kept on a floor above cases."""

    name: str
    # the cases the user's queues start from -> the records of this kind on those cases
    source: Callable[[QuerySet], QuerySet]
    # a column the user may sort by -> the field it sorts
    sorts: dict[str, str]
    # what the queue page reads along with each record
    related: tuple[str, ...]
    # the table rows of the queue page
    rows_template: str


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    KINDS[kind.name] = kind
    SORTS[kind.name] = kind.sorts


def register_queue(queue: Queue, *, before: str) -> None:
    """Add a queue to everyone's list, in front of the queue `before` (the working order)."""
    QUEUES.insert(QUEUES.index(BY_SLUG[before]), queue)
    BY_SLUG[queue.slug] = queue


def visible_records(kind: str, user: AbstractBaseUser) -> QuerySet:
    """What a queue starts from: for a supervisor everything of its kind, for a contact
    person only their own cases (as contact person or deputy), for hotline the inquiries."""
    if kind == INQUIRY:
        if user.has_perm("referrals.view_inquiry"):
            return Inquiry.objects.all()
        return Inquiry.objects.none()
    cases = cases_visible_to(user)
    if not has_role(user, Role.SUPERVISOR):
        cases = cases.filter(Q(contact_person=user) | Q(deputy=user))
    if kind == CASE:
        return cases
    return KINDS[kind].source(cases)


def queue_records(queue: Queue, user: AbstractBaseUser, now: datetime | None = None) -> QuerySet:
    return queue.rule(visible_records(queue.kind, user), now or timezone.now())


def queues_for(user: AbstractBaseUser) -> list[Queue]:
    """The queues a user works: inquiry queues need the inquiry role, case queues a case
    role."""
    can_inquiries = user.has_perm("referrals.view_inquiry")
    can_cases = has_role(user, Role.SUPERVISOR, Role.CONTACT_PERSON)
    return [
        q
        for q in QUEUES
        if (q.kind == INQUIRY and can_inquiries) or (q.kind != INQUIRY and can_cases)
    ]


def eighteen_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 18)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28)


def apply_filters(queryset: QuerySet, kind: str, params: dict[str, str]) -> QuerySet:
    """The filters a supervisor narrows a queue by: contact person, nationality, form of
    exploitation and minors."""
    if kind == INQUIRY:
        return queryset
    prefix = "" if kind == CASE else "case__"
    if params.get("contact", "").isdigit():
        contact = int(params["contact"])
        queryset = queryset.filter(
            Q(**{f"{prefix}contact_person_id": contact}) | Q(**{f"{prefix}deputy_id": contact})
        )
    if params.get("nationality"):
        queryset = queryset.filter(**{f"{prefix}person__nationality": params["nationality"]})
    if params.get("exploitation"):
        # A form of exploitation is a statistics category: every code counting under it.
        queryset = queryset.filter(
            **{
                f"{prefix}assessment__exploitation_form__in": codes.codes_in(
                    "exploitation_form", params["exploitation"]
                )
            }
        )
    if params.get("minor") in ("yes", "no"):
        adult_born_before = eighteen_years_before(timezone.localdate())
        minor = Q(**{f"{prefix}person__birth_date__gt": adult_born_before}) | Q(
            **{f"{prefix}person__birth_date__isnull": True, f"{prefix}person__declared_minor": True}
        )
        queryset = queryset.filter(minor) if params["minor"] == "yes" else queryset.exclude(minor)
    return queryset


SORTS: dict[str, dict[str, str]] = {
    CASE: {"reference": "reference", "name": "person__name", "opened": "opened_at"},
    INQUIRY: {"reference": "reference", "received": "received_at"},
}


def apply_sort(queryset: QuerySet, kind: str, sort: str) -> QuerySet:
    """Re-order by a column the user chose ("-" for descending); the queue's own order
    otherwise."""
    descending = sort.startswith("-")
    field = SORTS[kind].get(sort.lstrip("-"))
    if field is None:
        return queryset
    return queryset.order_by(f"-{field}" if descending else field, "id")
