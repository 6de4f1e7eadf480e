"""The supervisors' pages: the rules in force and their history, a proposal of a new
version, and another supervisor's approval beside the version it succeeds."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cmm.audit import services as audit
from cmm.core.exceptions import Refused
from rules import services
from rules.forms import DecisionForm, ProposalForm
from rules.models import RuleVersion
from rules.values import CODE_LISTS, SETTINGS, differences, parse


def _require(request: HttpRequest, perm: str = "rules.view_ruleversion") -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def version_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    versions = RuleVersion.objects.select_related("proposed_by", "decided_by")
    current = services.in_force()
    return render(
        request,
        "rules/list.html",
        {
            "current": current,
            "proposals": versions.filter(status=RuleVersion.Status.PROPOSED),
            "versions": versions.exclude(status=RuleVersion.Status.PROPOSED),
            "rows": differences(None, current.values),
            "code_lists": _code_lists(current),
            "may_propose": request.user.has_perm("rules.propose_ruleversion"),
            "today": timezone.localdate(),
        },
    )


def _code_lists(version: RuleVersion) -> list[tuple]:
    """Each list and its codes, each with the label of the category it counts under."""
    held = parse(version.values, version.effective_from).codes
    return [
        (
            spec,
            [(code, dict(spec.categories.choices)[code.category]) for code in held[name]],
        )
        for name, spec in CODE_LISTS.items()
    ]


@require_http_methods(["GET", "POST"])
def version_propose(request: HttpRequest) -> HttpResponse:
    _require(request, "rules.propose_ruleversion")
    current = services.in_force()
    form = ProposalForm(request.POST or None, current=current.values)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_propose(
                actor=request.user,
                effective_from=form.cleaned_data["effective_from"],
                values=form.values(),
                reason=form.cleaned_data["reason"],
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request, _("The proposal is saved. Another supervisor must approve it.")
            )
            return redirect("rules:detail", pk=version.pk)
    return render(request, "rules/propose.html", {"form": form, "settings": SETTINGS})


def _version(pk: int) -> RuleVersion:
    version = RuleVersion.objects.select_related("proposed_by", "decided_by").filter(pk=pk).first()
    if version is None:
        raise Http404
    return version


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    version = _version(pk)
    # Compared with the version that governs the day before this one's: the one it succeeds.
    succeeds = services.in_force(version.effective_from - timedelta(days=1))
    if succeeds is not None and succeeds.pk == version.pk:
        succeeds = None
    audit.record_view(request.user, version)
    proposed = version.status == RuleVersion.Status.PROPOSED
    mine = version.proposed_by_id == request.user.pk
    return render(
        request,
        "rules/detail.html",
        {
            "version": version,
            "succeeds": succeeds,
            "rows": differences(succeeds.values if succeeds else None, version.values),
            "may_approve": proposed
            and not mine
            and request.user.has_perm("rules.approve_ruleversion"),
            "may_withdraw": proposed and mine,
            "form": DecisionForm(),
        },
    )


@require_POST
def version_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    version = _version(pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    approve = request.POST.get("decision") == "approve"
    try:
        if approve:
            if not form.cleaned_data.get("compared"):
                raise Refused(
                    _("Confirm that you have compared the proposal with the rules in force.")
                )
            services.version_approve(actor=request.user, version_id=version.pk, note=note)
        else:
            services.version_reject(actor=request.user, version_id=version.pk, note=note)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("rules:detail", pk=version.pk)
    version.refresh_from_db()
    if approve:
        messages.success(
            request,
            _("The version is approved: it is in force from %(day)s.")
            % {"day": version.effective_from.strftime("%d-%m-%Y")},
        )
    else:
        messages.success(
            request,
            _("The proposal is closed: %(status)s.") % {"status": version.get_status_display()},
        )
    return redirect("rules:detail", pk=version.pk)
