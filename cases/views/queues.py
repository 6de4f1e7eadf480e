"""Finding the work: a contact person's own cases, the queues with their counts, the
supervisors' workload and bulk reassignment, and search."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cases import queues, selectors, services
from cases.forms import BulkReassignForm, contact_persons
from cases.models import Case, CaseState
from cases.views.common import PAGE_SIZE
from cmm.audit import services as audit
from cmm.core.codes import ExploitationForm, nationality_choices
from cmm.core.context_processors import navigation_counts
from cmm.core.exceptions import Refused
from cmm.core.paging import CappedPaginator, capped_counts
from cmm.core.roles import Role, has_role
from cmm.core.templatetags.cmm import user_name
from referrals.selectors import person_count


def my_cases(request: HttpRequest) -> HttpResponse:
    """The contact person's own cases, each with its state and the next thing to do."""
    if not has_role(request.user, Role.CONTACT_PERSON):
        raise PermissionDenied
    page = CappedPaginator(selectors.my_cases(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.cases_by_id([pk for pk, _ in page.object_list])
    return render(request, "cases/my_cases.html", {"page": page})


def unassigned(request: HttpRequest) -> HttpResponse:
    """The supervisors' queue of referred persons waiting for a contact person."""
    if not request.user.has_perm("cases.assign_case"):
        raise PermissionDenied
    page = CappedPaginator(selectors.unassigned_cases(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/unassigned.html", {"page": page})


def _queue_nav(user, now) -> list[tuple]:
    """Every queue the user works, with its count (all in one query, whatever the rows;
    "1000+" past a thousand)."""
    available = queues.queues_for(user)
    # The navigation's counts ride along: the page's one count query makes them too.
    extra = list(navigation_counts(user).values())
    counts = capped_counts([queues.queue_records(q, user, now) for q in available] + extra)
    return list(zip(available, counts[: len(available)], strict=True))


def queue_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """A queue with its filters, sorting and paging; without a slug, the first queue."""
    available = queues.queues_for(request.user)
    if not available:
        raise PermissionDenied
    queue = queues.BY_SLUG.get(slug) if slug else available[0]
    if queue is None or queue not in available:
        raise Http404
    now = timezone.now()
    records = queues.queue_records(queue, request.user, now)
    records = queues.apply_filters(records, queue.kind, request.GET)
    records = queues.apply_sort(records, queue.kind, request.GET.get("sort", ""))
    if queue.kind == queues.CASE:
        records = records.select_related(
            "person", "contact_person", "reflection_period", "assessment"
        )
    elif queue.kind == queues.INQUIRY:
        records = records.annotate(person_count=person_count())
    else:
        records = records.select_related(*queues.KINDS[queue.kind].related)
    page = CappedPaginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    supervisor = request.user.has_perm("cases.assign_case")
    return render(
        request,
        "cases/queue.html",
        {
            "queue": queue,
            "kind": queues.KINDS.get(queue.kind),
            "queue_nav": _queue_nav(request.user, now),
            "page": page,
            "query": params.urlencode() + "&" if params else "",
            "filters": request.GET,
            "can_filter": queue.kind != queues.INQUIRY,
            # (value, label) pairs for the two contact person selects
            "contacts": [(u.pk, user_name(u)) for u in contact_persons()] if supervisor else [],
            "bulk": supervisor and queue.kind == queues.CASE,
            "nationalities": nationality_choices(),
            "exploitations": ExploitationForm.choices,
            "today": timezone.localdate(),
        },
    )


def workload(request: HttpRequest) -> HttpResponse:
    """Open cases per contact person, by state (supervisors)."""
    if not request.user.has_perm("cases.assign_case"):
        raise PermissionDenied
    rows = (
        Case.objects.filter(state__in=queues.OPEN_CASE_STATES, contact_person__isnull=False)
        .values("contact_person", "state")
        .annotate(n=Count("id"))
    )
    people = {u.pk: u for u in contact_persons()}
    table: dict[int, dict] = {pk: {"user": u, "states": {}, "total": 0} for pk, u in people.items()}
    for row in rows:
        entry = table.setdefault(row["contact_person"], {"user": None, "states": {}, "total": 0})
        entry["states"][row["state"]] = row["n"]
        entry["total"] += row["n"]
    states = [s for s in queues.OPEN_CASE_STATES if s != CaseState.AWAITING_ASSIGNMENT]
    return render(
        request,
        "cases/workload.html",
        {
            "rows": [
                {**e, "cells": [e["states"].get(s, 0) for s in states]}
                for e in table.values()
                if e["user"] is not None
            ],
            "states": [CaseState(s).label for s in states],
        },
    )


@require_POST
def bulk_reassign(request: HttpRequest) -> HttpResponse:
    """A supervisor moves several cases to another contact person at once."""
    if not request.user.has_perm("cases.assign_case"):
        raise PermissionDenied
    form = BulkReassignForm(request.POST)
    back = request.POST.get("next") or reverse("cases:queues")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("cases:queues")
    if not form.is_valid():
        messages.error(request, _("Choose the cases and the new contact person."))
        return redirect(back)
    try:
        moved = services.cases_reassign(
            actor=request.user,
            case_ids=form.cleaned_data["cases"],
            contact_person=form.cleaned_data["contact_person"],
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            ngettext("%(n)s case is reassigned.", "%(n)s cases are reassigned.", len(moved))
            % {"n": len(moved)},
        )
    return redirect(back)


SEARCH_LIMIT = 50


def search(request: HttpRequest) -> HttpResponse:
    """Search by reference, name or alias; shows only what the user may see, and every
    search is written to the audit trail."""
    if not has_role(request.user, Role.SUPERVISOR, Role.CONTACT_PERSON, Role.HOTLINE):
        raise PermissionDenied
    # Names are searched by POST: personal data never goes into a URL or an access log.
    query = request.POST.get("q", "").strip()[:100] if request.method == "POST" else ""
    cases, inquiries = [], []
    if query:
        cases = list(selectors.search_cases(request.user, query)[:SEARCH_LIMIT])
        if request.user.has_perm("referrals.view_inquiry"):
            inquiries = list(selectors.search_inquiries(query)[:SEARCH_LIMIT])
        audit.record_search(request.user, query, len(cases) + len(inquiries))
    return render(
        request, "cases/search.html", {"query": query, "cases": cases, "inquiries": inquiries}
    )
