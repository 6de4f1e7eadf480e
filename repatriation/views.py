from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.models import Case
from cmm.audit import services as audit
from cmm.core.access import get_object_for_user, user_may
from cmm.core.exceptions import Refused
from cmm.core.submit import submit
from cmm.core.transitions import refusal_for
from repatriation import selectors, services
from repatriation.forms import CompleteForm, PaymentForm, ReturnForm, StepForm, StopForm
from repatriation.models import STEP_ORDER, PreparedReturn, ReturnState, may_manage


def _get_return(request: HttpRequest, pk: int, manage: bool = False) -> PreparedReturn:
    """The return if the user may see its case (404 otherwise), audited as a view of it."""
    prepared = PreparedReturn.objects.select_related("case__person").filter(pk=pk).first()
    if prepared is None or not user_may(request.user, "cases.view_case", prepared.case):
        raise Http404
    audit.record_view(request.user, prepared)
    if manage and not may_manage(prepared, request.user):
        raise PermissionDenied
    return prepared


def _render_form(request, prepared, form, title):
    return render(
        request,
        "repatriation/return_form.html",
        {"prepared": prepared, "case": prepared.case, "form": form, "title": title},
    )


def _done(request, prepared, message):
    messages.success(request, message)
    return redirect("repatriation:detail", pk=prepared.pk)


def _detail(prepared) -> str:
    return reverse("repatriation:detail", args=[prepared.pk])


@require_POST
def return_start(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_object_for_user(request.user, Case.objects.all(), case_pk, "cases.view_case")
    try:
        prepared = services.return_start(
            actor=request.user, case_id=case.pk, case_version=int(request.POST.get("version", 0))
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("cases:detail", pk=case.pk)
    return _done(request, prepared, _("The prepared return is opened."))


def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prepared = _get_return(request, pk)
    payments = list(prepared.payments.select_related("recorded_by"))
    manage = may_manage(prepared, request.user)
    next_step = NEXT.get(prepared.state)
    return render(
        request,
        "repatriation/return_detail.html",
        {
            "prepared": prepared,
            "case": prepared.case,
            "steps": [(state, state.label, i + 1) for i, state in enumerate(STEP_ORDER)],
            "payments": payments,
            "paid": selectors.paid_totals(payments),
            "schedule": selectors.payment_schedule(prepared),
            "manage": manage,
            "next_step": next_step if manage else None,
            "next_refusal": refusal_for(prepared, next_step) if next_step else None,
            "can_stop": manage and prepared.state in STEP_ORDER,
            "can_complete": manage and prepared.state == ReturnState.FOLLOW_UP,
            "can_pay": manage and prepared.state not in (ReturnState.STOPPED,),
        },
    )


NEXT = {
    ReturnState.APPLICATION: "to_safety",
    ReturnState.SAFETY: "to_plan",
    ReturnState.PLAN: "to_cooperation",
    ReturnState.COOPERATION: "to_travel",
    ReturnState.TRAVEL: "depart",
}
STEP_TITLES = {
    "to_safety": gettext_lazy("On to safety and the risk assessment"),
    "to_plan": gettext_lazy("On to the reintegration plan"),
    "to_cooperation": gettext_lazy("On to the cooperation with the home country"),
    "to_travel": gettext_lazy("On to the travel"),
    "depart": gettext_lazy("The person has departed"),
    "stop": gettext_lazy("Stop the prepared return"),
    "complete": gettext_lazy("Complete the follow-up"),
}


def return_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prepared = _get_return(request, pk, manage=True)
    form = ReturnForm(
        request.POST or None, instance=prepared, initial={"version": prepared.version}
    )

    def action(data: dict) -> str:
        services.return_update(
            actor=request.user, return_id=prepared.pk, version=data["version"], data=data
        )
        return _("The prepared return is saved.")

    done = submit(request, form, action, done=_detail(prepared))
    return done or render(
        request,
        "repatriation/return_edit.html",
        {"prepared": prepared, "case": prepared.case, "form": form},
    )


def return_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """A confirmation page per step, then the service."""
    if step not in STEP_TITLES:
        raise Http404
    prepared = _get_return(request, pk, manage=True)
    form_class = {"stop": StopForm, "complete": CompleteForm}.get(step, StepForm)
    form = form_class(request.POST or None, initial={"version": prepared.version})

    def action(data: dict) -> str:
        common = {"actor": request.user, "return_id": prepared.pk, "version": data["version"]}
        if step == "stop":
            services.return_stop(**common, reason=data["reason"], note=data["note"])
        elif step == "complete":
            services.return_complete(**common, on=data["on"])
        else:
            services.return_advance(**common, step=step)
        return _("Saved.")

    done = submit(request, form, action, done=_detail(prepared))
    return done or _render_form(request, prepared, form, STEP_TITLES[step])


def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    prepared = _get_return(request, pk, manage=True)
    form = PaymentForm(request.POST or None, initial={"version": prepared.version})

    def action(data: dict) -> str:
        services.payment_record(actor=request.user, return_id=prepared.pk, **data)
        return _("The payment is recorded.")

    done = submit(request, form, action, done=_detail(prepared))
    return done or _render_form(request, prepared, form, _("Record a payment"))
