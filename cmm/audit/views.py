import csv
import io

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cmm.audit import selectors
from cmm.audit import services as audit
from cmm.audit.models import AuditEvent

PAGE_SIZE = 100


def require_review(request: HttpRequest) -> None:
    """Only the audit's reviewers read it (the data protection officer, supervisors)."""
    if not request.user.has_perm("audit.view_auditevent"):
        raise PermissionDenied


def review_page(request: HttpRequest, events, title: str, subject: str) -> HttpResponse:
    """A page of audit events, filtered as the reviewer asks."""
    events = selectors.filtered(events, request.GET)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audit/review.html",
        {
            "title": title,
            "subject": subject,
            "page": page,
            "filters": request.GET,
            "actions": AuditEvent.Action.choices,
            "query": params.urlencode() + "&" if params else "",
        },
    )


def user_activity(request: HttpRequest, user_id: int) -> HttpResponse:
    """One user's activity: what they viewed, changed, searched and downloaded."""
    require_review(request)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    return review_page(
        request, selectors.user_activity(user), "user", user.get_full_name() or user.get_username()
    )


def export(request: HttpRequest) -> HttpResponse:
    """The audit log as CSV for the data protection officer, by date range (and user)."""
    require_review(request)
    events = AuditEvent.objects.select_related("actor", "content_type").order_by("at", "id")
    if request.GET.get("user", "").isdigit():
        events = events.filter(actor_id=int(request.GET["user"]))
    events = selectors.filtered(events, request.GET)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "at",
            "actor",
            "client",
            "action",
            "record",
            "transition",
            "from",
            "to",
            "changes",
            "redacted_at",
        ]
    )
    for e in events.iterator():
        writer.writerow(
            [
                e.at.isoformat(),
                e.actor.get_username() if e.actor else "",
                e.client,
                e.action,
                e.object_ref,
                e.transition,
                e.from_state,
                e.to_state,
                e.changes,
                e.redacted_at.isoformat() if e.redacted_at else "",
            ]
        )
    audit.record_download(request.user, "audit-log.csv")
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
