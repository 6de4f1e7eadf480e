"""The course's record: the case page, its timeline, who accessed the person, the person's
details, who works on the course, the journal and consents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.forms import AssignForm, ConsentForm, LinkPersonForm, NoteForm, PersonForm
from cases.models import Case, CaseState, ConsentKind, Note, Person
from cases.views.common import _act, _get_case
from cases.views.support import _support_context
from cmm.audit import selectors as audit_selectors
from cmm.audit import views as audit_views
from cmm.core.access import get_object_for_user, user_may
from cmm.core.exceptions import Refused
from cmm.core.transitions import may_take, refusal_for

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
