from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cmm.audit.models import AuditEvent
from referrals.models import OPEN_STATES, Inquiry, InquiryPerson, Urgency

LIST_FILTERS = ("open", "today", "all")


def person_count() -> Coalesce:
    """The number of persons an inquiry concerns, counted for the rows shown only (a
    join and GROUP BY would count them for every inquiry before the page is cut)."""
    persons = (
        InquiryPerson.objects.filter(inquiry=OuterRef("pk"))
        .order_by()
        .values("inquiry")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(persons, output_field=IntegerField()), 0)


def inquiry_list(which: str) -> QuerySet[Inquiry]:
    """Inquiries for the hotline list: open ones (urgent first), today's, or all."""
    qs = Inquiry.objects.annotate(person_count=person_count()).order_by("-received_at", "-id")
    if which == "open":
        urgent_first = SqlCase(
            When(urgency=Urgency.NONE, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        return qs.filter(state__in=OPEN_STATES).order_by(urgent_first, "received_at", "id")
    if which == "today":
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return qs.filter(received_at__gte=start)
    return qs


def open_inquiries() -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(state__in=OPEN_STATES)


def open_inquiry_count() -> int:
    return open_inquiries().count()


def inquiry_history(inquiry: Inquiry) -> QuerySet[AuditEvent]:
    """What happened to the inquiry and its persons (removed ones included), oldest first."""
    return (
        AuditEvent.objects.filter(
            Q(object_ref=inquiry.reference) | Q(object_ref__startswith=f"{inquiry.reference}/")
        )
        .exclude(action=AuditEvent.Action.VIEW)
        .select_related("actor")
        .order_by("at", "id")
    )
