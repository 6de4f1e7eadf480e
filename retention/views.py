"""The supervisors' retention pages: courses past retention, legal holds, anonymisation."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases.models import Case, RetentionCheck
from cmm.core.access import get_object_for_user
from cmm.core.exceptions import Refused
from retention import services as retention
from retention import subject_access as subject_access_files
from retention.forms import AnonymiseForm, LegalHoldForm, SubjectAccessForm


def retention_list(request: HttpRequest) -> HttpResponse:
    """Courses past retention (computed now, not from the last nightly check) and courses
    under a legal hold. References, end dates and a minor marker only: no names."""
    if not request.user.has_perm(retention.PERM):
        raise PermissionDenied
    due = [(case, retention.was_minor(case)) for case in retention.due_courses()]
    return render(
        request,
        "retention/retention.html",
        {
            "due": due,
            "held": retention.held_courses(),
            "cutoff": retention.retention_cutoff(),
            "years": settings.CMM_RETENTION_YEARS,
            "last_check": RetentionCheck.objects.first(),
        },
    )


def _course(request: HttpRequest, pk: int) -> Case:
    # 404 for anyone who may not anonymise, as for any record they may not see.
    return get_object_for_user(
        request.user, Case.objects.select_related("person"), pk, retention.PERM
    )


def anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page: the supervisor retypes the reference; then it is done."""
    case = _course(request, pk)
    if case.is_anonymised:
        messages.info(request, _("This course is already anonymised."))
        return redirect("cases:detail", pk=case.pk)
    form = AnonymiseForm(request.POST or None, case_reference=case.reference)
    if request.method == "POST":
        if form.is_valid():
            try:
                retention.case_anonymise(
                    actor=request.user,
                    case_id=case.pk,
                    confirmation=form.cleaned_data["reference"],
                )
            except Refused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, _("%(ref)s is anonymised.") % {"ref": case.reference})
                return redirect("cases:retention")
        else:
            messages.error(request, _("Nothing was done. Correct the fields marked below."))
    return render(request, "retention/anonymise.html", {"case": case, "form": form})


def legal_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a legal hold on a course, or lift it; both with a reason, both audited."""
    case = _course(request, pk)
    form = LegalHoldForm(request.POST or None)
    if case.legal_hold:
        del form.fields["ground"]
    if request.method == "POST":
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                if case.legal_hold:
                    retention.legal_hold_lift(actor=request.user, case_id=case.pk, reason=reason)
                else:
                    retention.legal_hold_set(
                        actor=request.user,
                        case_id=case.pk,
                        reason=reason,
                        ground=form.cleaned_data["ground"] or "other",
                    )
            except Refused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(
                    request,
                    _("The legal hold is lifted.")
                    if case.legal_hold
                    else _("The legal hold is set."),
                )
                return redirect("cases:detail", pk=case.pk)
        else:
            messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    return render(request, "retention/legal_hold.html", {"case": case, "form": form})


def subject_access(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's subject access file: reason and the requester's identity, then a second
    confirmation, then the download (retention/subject_access.py)."""
    # 404 for anyone else, as for any record they may not see. The permission is
    # role-wide (no object permission of another app's record can grant it).
    if not request.user.has_perm(subject_access_files.PERM):
        raise Http404
    case = get_object_for_user(
        request.user, Case.objects.select_related("person"), pk, "cases.view_case"
    )
    refused = subject_access_files.refusal(case)
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and refused is None:
        if not form.is_valid():
            messages.error(request, _("Nothing was produced. Correct the fields marked below."))
        elif request.POST.get("confirmed") != "yes":
            return render(
                request, "retention/subject_access_confirm.html", {"case": case, "form": form}
            )
        else:
            try:
                name, content = subject_access_files.produce(
                    actor=request.user, case_id=case.pk, reason=form.cleaned_data["reason"]
                )
            except Refused as refusal:
                messages.error(request, refusal.message)
            else:
                response = HttpResponse(content, content_type="application/zip")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    return render(
        request,
        "retention/subject_access.html",
        {"case": case, "form": form, "refused": refused},
    )
