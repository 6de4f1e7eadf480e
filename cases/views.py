from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from cases import queues, selectors, services
from cases.forms import (
    AssessmentForm,
    AssignForm,
    BulkReassignForm,
    ConsentForm,
    EndForm,
    ExtensionDecisionForm,
    ExtensionForm,
    InterviewForm,
    LinkPersonForm,
    MinorCareForm,
    NoteForm,
    OfferForm,
    PersonForm,
    PlacementEndForm,
    PlacementForm,
    PoliceReportForm,
    ReflectionStartForm,
    ReopenForm,
    SendForm,
    ServiceForm,
    contact_persons,
)
from cases.models import (
    Case,
    CaseState,
    ConsentKind,
    Extension,
    MinorCare,
    Note,
    Person,
    ReflectionPeriod,
)
from cases.models.assessment import authority_for
from cases.panels import panels_for
from cmm.audit import selectors as audit_selectors
from cmm.audit import services as audit
from cmm.audit import views as audit_views
from cmm.core.access import get_object_for_user, user_may
from cmm.core.codes import ExploitationForm, nationality_choices
from cmm.core.context_processors import navigation_counts
from cmm.core.exceptions import Refused
from cmm.core.paging import CappedPaginator, capped_counts
from cmm.core.roles import Role, has_role
from cmm.core.submit import submit
from cmm.core.templatetags.cmm import user_name
from cmm.core.transitions import may_take, refusal_for
from referrals.selectors import person_count

PAGE_SIZE = 50


def _get_case(request: HttpRequest, pk: int, perm: str = "cases.view_case") -> Case:
    """The case if the user may see it (404 otherwise); the view is audited."""
    case = get_object_for_user(
        request.user,
        Case.objects.select_related("person", "contact_person", "deputy"),
        pk,
        "cases.view_case",
    )
    if perm != "cases.view_case" and not user_may(request.user, perm, case):
        raise PermissionDenied
    return case


def _act(
    request: HttpRequest,
    case: Case,
    form,
    template: str,
    action: Callable[[dict], str],
    context: dict | None = None,
) -> HttpResponse:
    """Validate `form`, run `action` (a service call returning the success message) and
    turn refusals into messages; on any failure the user's input stays in the form."""
    if case.is_anonymised:
        messages.error(request, _("This course is anonymised and can no longer be changed."))
        return redirect("cases:detail", pk=case.pk)
    done = submit(request, form, action, done=reverse("cases:detail", args=[case.pk]))
    return done or render(request, template, {"case": case, "form": form, **(context or {})})


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


# A long course's page shows the latest of its journal, and the timeline page the latest
# of its events; the whole of each is one link away (`?history=all`). Hundreds of notes
# (each with its correction form) and thousands of events took the page from tens of
# milliseconds to seconds.
NOTES_SHOWN = 50
EVENTS_SHOWN = 100


def _latest(queryset, limit: int | None) -> tuple[list, bool]:
    """The newest `limit` rows of an oldest-first queryset, still oldest first, and
    whether older ones were left out (all rows when `limit` is None)."""
    if limit is None:
        return list(queryset), False
    newest = list(queryset.reverse()[: limit + 1])
    return newest[:limit][::-1], len(newest) > limit


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    user = request.user
    show_all = request.GET.get("history") == "all"
    notes, more_notes = _latest(
        case.notes.select_related("author", "corrects"), None if show_all else NOTES_SHOWN
    )
    # An anonymised course is read-only for everyone.
    can_work = user_may(user, "cases.work_on_case", case) and not case.is_anonymised
    can_assign = user.has_perm("cases.assign_case") and not case.is_anonymised
    consents = selectors.consent_status(case)
    context = {
        "case": case,
        "person": case.person,
        "interviews": case.interviews.prefetch_related("interviewers"),
        "assessment": getattr(case, "assessment", None),
        "notes": notes,
        "more_notes": more_notes,
        "consents": [(ConsentKind(kind), consent) for kind, consent in consents.items()],
        "phone_consent": bool(consents[ConsentKind.TELEPHONE_CONTACT])
        and consents[ConsentKind.TELEPHONE_CONTACT].given,
        "inquiry_links": case.inquiry_persons.select_related("inquiry"),
        "can_work": can_work,
        "can_assign": can_assign,
        "can_interview": can_work and case.state in services.INTERVIEW_STATES,
        "can_send": may_take(user, case, "send_for_assessment")
        and not refusal_for(case, "send_for_assessment"),
        "can_assess": may_take(user, case, "record_assessment")
        and not refusal_for(case, "record_assessment"),
        "duplicates": selectors.possible_duplicates(case.person)
        if can_assign and case.state == CaseState.AWAITING_ASSIGNMENT
        else [],
        "note_form": NoteForm(),
        "consent_form": ConsentForm(),
        **_support_context(request, case, can_work),
    }
    return render(request, "cases/case_detail.html", context)


def person_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has accessed this person: views, changes, transitions on every course."""
    audit_views.require_review(request)
    case = get_object_for_user(
        request.user, Case.objects.select_related("person"), pk, "cases.view_case"
    )
    references = list(case.person.cases.values_list("reference", flat=True))
    return audit_views.review_page(
        request,
        audit_selectors.person_access(case.person, references),
        "person",
        case.reference,
    )


def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything that happened in the course, on a page of its own: the case page without
    it is the case as it stands (with a long course's events it was a fifth of the page's
    time)."""
    case = _get_case(request, pk)
    show_all = request.GET.get("history") == "all"
    timeline, more_events = _latest(
        selectors.case_timeline(case), None if show_all else EVENTS_SHOWN
    )
    return render(
        request,
        "cases/case_timeline.html",
        {"case": case, "timeline": timeline, "more_events": more_events},
    )


def _support_context(request: HttpRequest, case: Case, can_work: bool) -> dict:
    """What the case page shows of the support after the assessment, and which steps."""
    period = (
        ReflectionPeriod.objects.filter(case=case)
        .prefetch_related(Prefetch("extensions", Extension.objects.select_related("decided_by")))
        .first()
    )
    placements = list(case.placements.all())
    reports = list(case.police_reports.select_related("recorded_by"))
    state = case.state
    in_support = state == CaseState.IN_SUPPORT
    panels, panel_context = panels_for(
        request, case, {"can_work": can_work, "in_support": in_support}
    )
    steps = {
        "offer": can_work and state == CaseState.ASSESSED_TRAFFICKED,
        "reflection": can_work and in_support and period is None,
        "extend": can_work and in_support and period is not None and period.days_available > 0,
        "placement": can_work and in_support,
        "service": can_work and in_support,
        "minor": can_work and case.person.is_minor,
        "police-report": can_work
        and state in (CaseState.ASSESSED_TRAFFICKED, CaseState.IN_SUPPORT, CaseState.ENDED),
        "end": can_work and in_support,
        "reopen": state == CaseState.ENDED
        and request.user.has_perm("cases.reopen_case")
        and not case.is_anonymised,
    }
    return {
        "period": period,
        "placements": placements,
        "current_placement": next((p for p in placements if p.ends_on is None), None),
        "support_services": case.services.all(),
        "minor_care": MinorCare.objects.filter(case=case).first(),
        "police_report": reports[-1] if reports else None,
        "earlier_police_reports": reports[:-1],
        "other_courses": selectors.cases_visible_to(request.user)
        .filter(person_id=case.person_id)
        .exclude(pk=case.pk)
        .order_by("opened_at"),
        "support_steps": [(name, STEPS[name].title) for name, shown in steps.items() if shown],
        "can_approve": request.user.has_perm("cases.approve_extension") and not case.is_anonymised,
        "case_panels": panels,
        **panel_context,
    }


def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    if not (
        user_may(request.user, "cases.work_on_case", case)
        or request.user.has_perm("cases.assign_case")
    ):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=case.person, initial={"version": case.version})

    def action(data: dict) -> str:
        services.person_update(
            actor=request.user, case_id=case.pk, version=data["version"], data=data
        )
        return _("The person's details are saved.")

    return _act(
        request,
        case,
        form,
        "cases/case_form.html",
        action,
        {"title": _("Change the person's details")},
    )


def assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk, "cases.assign_case")
    form = AssignForm(
        request.POST or None,
        initial={
            "version": case.version,
            "contact_person": case.contact_person,
            "deputy": case.deputy,
        },
    )

    def action(data: dict) -> str:
        services.case_assign(
            actor=request.user,
            case_id=case.pk,
            version=data["version"],
            contact_person=data["contact_person"],
            deputy=data["deputy"],
        )
        return _("The contact person is assigned.")

    return _act(
        request, case, form, "cases/case_form.html", action, {"title": _("Assign a contact person")}
    )


def link_person(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then attach the case to a person CMM already knows."""
    case = _get_case(request, pk, "cases.assign_case")
    form = LinkPersonForm(
        request.POST or None,
        initial={"version": case.version, "person": request.GET.get("person")},
    )
    person_id = request.POST.get("person") or request.GET.get("person")
    existing = Person.objects.filter(pk=person_id).first() if str(person_id).isdigit() else None
    if existing is None:
        raise Http404

    def action(data: dict) -> str:
        services.case_link_person(
            actor=request.user, case_id=case.pk, version=data["version"], person_id=existing.pk
        )
        return _("The case now belongs to the person already known to CMM.")

    return _act(request, case, form, "cases/link_person.html", action, {"existing": existing})


def interview_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk, "cases.work_on_case")
    form = InterviewForm(
        request.POST or None,
        initial={"version": case.version, "interviewers": [request.user.pk]},
    )

    def action(data: dict) -> str:
        services.interview_record(
            actor=request.user,
            case_id=case.pk,
            version=data["version"],
            data=data,
            interviewers=list(data["interviewers"]),
        )
        return _("The interview is recorded.")

    return _act(
        request,
        case,
        form,
        "cases/case_form.html",
        action,
        {"title": _("Record an identification interview")},
    )


def send_for_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk, "cases.work_on_case")
    refusal = refusal_for(case, "send_for_assessment")
    if refusal:
        messages.error(request, refusal)
        return redirect("cases:detail", pk=case.pk)
    residence = case.person.residence_status
    expected = authority_for(residence) if residence else ""
    form = SendForm(request.POST or None, initial={"version": case.version, "authority": expected})

    def action(data: dict) -> str:
        services.case_send_for_assessment(
            actor=request.user,
            case_id=case.pk,
            version=data["version"],
            authority=data["authority"],
            override_reason=data["override_reason"],
            sent_on=data["sent_on"],
        )
        return _("The case is sent for assessment.")

    return _act(
        request,
        case,
        form,
        "cases/case_form.html",
        action,
        {"title": _("Send for assessment"), "expected": expected},
    )


def assess(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk, "cases.work_on_case")
    refusal = refusal_for(case, "record_assessment")
    if refusal:
        messages.error(request, refusal)
        return redirect("cases:detail", pk=case.pk)
    form = AssessmentForm(request.POST or None, initial={"version": case.version})

    def action(data: dict) -> str:
        services.case_record_assessment(
            actor=request.user, case_id=case.pk, version=data["version"], data=data
        )
        return _("The assessment is recorded.")

    return _act(
        request, case, form, "cases/case_form.html", action, {"title": _("Record the assessment")}
    )


@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk, "cases.work_on_case")
    form = NoteForm(request.POST)
    corrects = None
    if form.is_valid() and form.cleaned_data["corrects"]:
        corrects = Note.objects.filter(pk=form.cleaned_data["corrects"], case=case).first()
    if form.is_valid():
        services.note_add(
            actor=request.user, case_id=case.pk, text=form.cleaned_data["text"], corrects=corrects
        )
        messages.success(request, _("The note is added to the journal."))
    else:
        messages.error(request, _("Write the note before saving it."))
    return redirect("cases:detail", pk=case.pk)


@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk, "cases.work_on_case")
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(actor=request.user, case_id=case.pk, **form.cleaned_data)
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The consent is recorded."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("cases:detail", pk=case.pk)


# Support during the reflection period: one page per step ------------------------------


@dataclass(frozen=True)
class Step:
    form: type
    title: str
    run: Callable[..., object]
    done: str
    perm: str = "cases.work_on_case"


def _version(data: dict) -> int:
    return data.pop("version")


STEPS: dict[str, Step] = {
    "offer": Step(
        OfferForm,
        gettext_lazy("Answer to the offer of support"),
        lambda user, case, d: services.case_answer_offer(
            actor=user, case_id=case.pk, version=_version(d), **d
        ),
        gettext_lazy("The answer to the offer is recorded."),
    ),
    "reflection": Step(
        ReflectionStartForm,
        gettext_lazy("Start the reflection period"),
        lambda user, case, d: services.reflection_start(
            actor=user, case_id=case.pk, version=_version(d), **d
        ),
        gettext_lazy("The reflection period is recorded."),
    ),
    "extend": Step(
        ExtensionForm,
        gettext_lazy("Extend the reflection period"),
        lambda user, case, d: services.reflection_extend(
            actor=user, case_id=case.pk, version=_version(d), **d
        ),
        gettext_lazy("The extension is recorded."),
    ),
    "placement": Step(
        PlacementForm,
        gettext_lazy("Record a housing placement"),
        lambda user, case, d: services.placement_add(
            actor=user, case_id=case.pk, version=_version(d), data=d
        ),
        gettext_lazy("The placement is recorded."),
    ),
    "placement-end": Step(
        PlacementEndForm,
        gettext_lazy("End the placement"),
        lambda user, case, d: services.placement_end(
            actor=user,
            case_id=case.pk,
            version=_version(d),
            placement_id=d["placement"],
            ends_on=d["ends_on"],
            reason=d["reason"],
        ),
        gettext_lazy("The placement has ended."),
    ),
    "service": Step(
        ServiceForm,
        gettext_lazy("Log a support service"),
        lambda user, case, d: services.service_add(
            actor=user, case_id=case.pk, version=_version(d), data=d
        ),
        gettext_lazy("The service is logged."),
    ),
    "minor": Step(
        MinorCareForm,
        gettext_lazy("Arrangements for a minor"),
        lambda user, case, d: services.minor_care_update(
            actor=user, case_id=case.pk, version=_version(d), data=d
        ),
        gettext_lazy("The arrangements are saved."),
    ),
    "police-report": Step(
        PoliceReportForm,
        gettext_lazy("Police report"),
        lambda user, case, d: services.police_report_record(
            actor=user, case_id=case.pk, version=_version(d), data=d
        ),
        gettext_lazy("The police report is recorded."),
    ),
    "end": Step(
        EndForm,
        gettext_lazy("End the course"),
        lambda user, case, d: services.case_end(
            actor=user, case_id=case.pk, version=_version(d), **d
        ),
        gettext_lazy("The course has ended."),
    ),
    "reopen": Step(
        ReopenForm,
        gettext_lazy("Reopen the course"),
        lambda user, case, d: services.case_reopen(
            actor=user, case_id=case.pk, version=_version(d), reason=d["reason"]
        ),
        gettext_lazy("The course is reopened."),
        perm="cases.reopen_case",
    ),
}


def _step_initial(case: Case, step: str, request: HttpRequest) -> dict:
    initial: dict = {"version": case.version}
    if step == "reflection":
        initial["granted_by"] = authority_for(case.person.residence_status)
    elif step == "placement-end":
        initial["placement"] = request.GET.get("placement")
    elif step == "minor":
        care = getattr(case, "minor_care", None)
        if care is not None:
            initial.update({f: getattr(care, f) for f in services.MINOR_FIELDS})
    return initial


def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """A page per support step: the form with what the step needs, then the service."""
    if step not in STEPS:
        raise Http404
    spec = STEPS[step]
    case = _get_case(request, pk, spec.perm)
    form = spec.form(request.POST or None, initial=_step_initial(case, step, request))

    def action(data: dict) -> str:
        spec.run(request.user, case, dict(data))
        return str(spec.done)

    return _act(request, case, form, "cases/case_form.html", action, {"title": spec.title})


@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor approves or rejects an extension granted by CMM."""
    case = _get_case(request, pk, "cases.approve_extension")
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    extension = Extension.objects.filter(
        pk=form.cleaned_data["extension"], period__case=case
    ).first()
    if extension is None:
        raise Http404
    try:
        services.extension_decide(
            actor=request.user, extension_id=extension.pk, approve=form.cleaned_data["approve"]
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("The extension is approved.")
            if form.cleaned_data["approve"]
            else _("The extension is rejected."),
        )
    return redirect("cases:detail", pk=case.pk)


# Queues, workload and search ----------------------------------------------------------


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
