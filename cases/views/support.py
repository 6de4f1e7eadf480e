"""Support in the reflection period and the end of the course: one page per step, and the
supervisor's decision on an extension."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.forms import (
    EndForm,
    ExtensionDecisionForm,
    ExtensionForm,
    MinorCareForm,
    OfferForm,
    PlacementEndForm,
    PlacementForm,
    PoliceReportForm,
    ReflectionStartForm,
    ReopenForm,
    ServiceForm,
)
from cases.models import Case, CaseState, Extension, MinorCare, ReflectionPeriod
from cases.models.assessment import authority_for
from cases.panels import panels_for
from cases.views.common import _act, _get_case
from cmm.core.exceptions import Refused


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
        initial["granted_by"] = authority_for(
            case.person.residence_status, case.authority_rules_date()
        )
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
    if hasattr(form, "for_case"):
        form.for_case(case)

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
