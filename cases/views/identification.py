"""Identification and assessment: the interview, the case sent to the deciding authority,
and the decision recorded."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services
from cases.forms import AssessmentForm, InterviewForm, SendForm
from cases.models.assessment import authority_for
from cases.views.common import _act, _get_case
from cmm.core.transitions import refusal_for


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
    expected = authority_for(residence, timezone.localdate()) if residence else ""
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
