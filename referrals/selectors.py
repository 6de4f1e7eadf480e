from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from cmm.audit.models import AuditEvent
from referrals.models import OPEN_STATES, Inquiry, Urgency

LIST_FILTERS = ("open", "today", "all")


def inquiry_list(which: str) -> QuerySet[Inquiry]:
    """Inquiries for the hotline list: open ones (urgent first), today's, or all."""
    qs = Inquiry.objects.annotate(person_count=Count("persons")).order_by("-received_at", "-id")
    if which == "open":
        urgent_first = SqlCase(
            When(urgency=Urgency.NONE, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        return qs.filter(state__in=OPEN_STATES).order_by(urgent_first, "received_at", "id")
    if which == "today":
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return qs.filter(received_at__gte=start)
    return qs


def open_inquiry_count() -> int:
    return Inquiry.objects.filter(state__in=OPEN_STATES).count()


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
