from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from cmm.audit.models import AuditEvent


def _bounds(day_from: date | None, day_to: date | None) -> Q:
    condition = Q()
    if day_from:
        condition &= Q(at__gte=timezone.make_aware(datetime.combine(day_from, time.min)))
    if day_to:
        condition &= Q(
            at__lt=timezone.make_aware(datetime.combine(day_to + timedelta(days=1), time.min))
        )
    return condition


def filtered(events: QuerySet, params: dict) -> QuerySet:
    """Narrow events by the review form's dates (YYYY-MM-DD) and action."""

    def day(key: str) -> date | None:
        try:
            return date.fromisoformat(params.get(key, ""))
        except ValueError:
            return None

    events = events.filter(_bounds(day("from"), day("to")))
    if params.get("action") in AuditEvent.Action.values:
        events = events.filter(action=params["action"])
    if params.get("client", "").isdigit():
        # The review form asks for the number of an API client's reference (API-3).
        events = events.filter(client=f"API-{int(params['client'])}")
    return events


def person_access(person, case_references: list[str]) -> QuerySet:
    """Everything done to or seen of a person: their record and every record of their
    courses (views, changes, transitions), newest first."""
    condition = Q(object_ref=person.reference)
    for reference in case_references:
        condition |= Q(object_ref=reference) | Q(object_ref__startswith=f"{reference}/")
    return (
        AuditEvent.objects.filter(condition)
        .select_related("actor", "content_type")
        .order_by("-at", "-id")
    )


def user_activity(user) -> QuerySet:
    return (
        AuditEvent.objects.filter(actor=user)
        .select_related("actor", "content_type")
        .order_by("-at", "-id")
    )
