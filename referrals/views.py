from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cmm.core.access import get_object_for_user
from cmm.core.exceptions import Conflict, Refused
from cmm.core.paging import CappedPaginator
from cmm.core.submit import submit
from cmm.core.transitions import may_take, refusal_for
from referrals import selectors, services
from referrals.forms import (
    InquiryForm,
    InquiryPersonFormSet,
    VersionForm,
    persons_from_formset,
)
from referrals.models import Inquiry
from referrals.steps import STEPS, Step

PAGE_SIZE = 50


def _get_inquiry(request: HttpRequest, pk: int, perm: str = "referrals.view_inquiry") -> Inquiry:
    return get_object_for_user(request.user, Inquiry.objects.all(), pk, perm)


def inquiry_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("referrals.view_inquiry"):
        raise PermissionDenied
    which = request.GET.get("show", "open")
    if which not in selectors.LIST_FILTERS:
        which = "open"
    page = CappedPaginator(selectors.inquiry_list(which), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/inquiry_list.html", {"page": page, "show": which})


def inquiry_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("referrals.add_inquiry"):
        raise PermissionDenied
    form = InquiryForm(request.POST or None)
    formset = InquiryPersonFormSet(request.POST or None, prefix="persons")
    if request.method == "POST":
        if "add_person" in request.POST:
            # Re-render with one more empty person row; everything typed stays, and
            # nothing is flagged yet: the user has not submitted.
            form._errors = ErrorDict()
            formset = _formset_with_extra_row(request.POST)
        elif form.is_valid() and formset.is_valid():
            inquiry = services.inquiry_create(
                actor=request.user,
                data=form.cleaned_data,
                persons=persons_from_formset(formset),
            )
            messages.success(
                request, _("Inquiry %(ref)s is registered.") % {"ref": inquiry.reference}
            )
            return redirect("referrals:detail", pk=inquiry.pk)
        else:
            messages.error(
                request, _("The inquiry was not saved. Correct the fields marked below.")
            )
    return render(
        request,
        "referrals/inquiry_form.html",
        {"form": form, "formset": formset, "inquiry": None},
    )


def _formset_with_extra_row(data, instance=None):
    data = data.copy()
    try:
        total = int(data.get("persons-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    data["persons-TOTAL_FORMS"] = str(total + 1)
    new = InquiryPersonFormSet(data, prefix="persons", instance=instance)
    new._errors = []
    new._non_form_errors = new.error_class()
    for form in new.forms:
        form._errors = ErrorDict()
    return new


def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _get_inquiry(request, pk)
    return render(
        request,
        "referrals/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "persons": inquiry.persons.select_related("case"),
            "history": selectors.inquiry_history(inquiry),
            "steps": _available_steps(request, inquiry),
        },
    )


def _available_steps(request: HttpRequest, inquiry: Inquiry) -> list[str]:
    """The steps the machine allows this user now, in workflow order (main step first)."""
    available = {t.name for t in inquiry.get_available_user_state_transitions(request.user)}
    return [step for step in STEPS if step in available]


def inquiry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _get_inquiry(request, pk, "referrals.change_inquiry")
    if not inquiry.is_open:
        messages.error(request, _("A closed, referred or linked inquiry can no longer be changed."))
        return redirect("referrals:detail", pk=inquiry.pk)
    data = request.POST or None
    form = InquiryForm(data, instance=inquiry)
    formset = InquiryPersonFormSet(data, prefix="persons", instance=inquiry)
    version_form = VersionForm(data, initial={"version": inquiry.version})
    if request.method == "POST":
        if "add_person" in request.POST:
            form._errors = ErrorDict()
            formset = _formset_with_extra_row(request.POST, instance=inquiry)
        elif form.is_valid() and formset.is_valid() and version_form.is_valid():
            try:
                services.inquiry_update(
                    actor=request.user,
                    inquiry_id=inquiry.pk,
                    version=version_form.cleaned_data["version"],
                    data=form.cleaned_data,
                    persons=persons_from_formset(formset),
                )
            except Refused as refusal:
                messages.error(request, refusal.message)
                if isinstance(refusal, Conflict):
                    # Keep what the user typed; the next save is against the current version.
                    inquiry.refresh_from_db()
                    version_form = VersionForm(initial={"version": inquiry.version})
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("referrals:detail", pk=inquiry.pk)
        else:
            messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    return render(
        request,
        "referrals/inquiry_form.html",
        {"form": form, "formset": formset, "version_form": version_form, "inquiry": inquiry},
    )


def inquiry_transition(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One page per step: GET asks for what the step needs and a confirmation, POST acts."""
    if step not in STEPS:
        raise Http404
    inquiry = _get_inquiry(request, pk)
    form_class, title = STEPS[step].form, STEPS[step].title
    if not may_take(request.user, inquiry, step):
        raise PermissionDenied
    refusal = refusal_for(inquiry, step)
    if refusal:
        messages.error(request, refusal)
        return redirect("referrals:detail", pk=inquiry.pk)
    form = form_class(request.POST or None, initial={"version": inquiry.version})
    done = submit(
        request,
        form,
        lambda data: _run_step(request, inquiry, STEPS[step], data),
        done=reverse("referrals:detail", args=[inquiry.pk]),
    )
    return done or render(
        request,
        "referrals/inquiry_transition.html",
        {"inquiry": inquiry, "form": form, "step": step, "title": title},
    )


def _run_step(request: HttpRequest, inquiry: Inquiry, step: Step, data: dict) -> None:
    common = {"inquiry_id": inquiry.pk, "version": data["version"]}
    messages.success(request, step.run(request.user, common, data))
