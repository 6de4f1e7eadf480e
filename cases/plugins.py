"""What cases plugs into the floors below (cmm.core, referrals): its navigation counts, its
state labels, its form pages worth a draft, and the inquiry's steps that hand an inquiry on
to a course (refer, link). Loaded by CasesConfig.ready()."""

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases import services
from cases.models import Case, CaseState
from cases.selectors import my_cases, unassigned_cases
from cmm.core.access import user_may
from cmm.core.context_processors import register_navigation_count
from cmm.core.drafts import AccessCheck, register_draft_pages
from cmm.core.roles import Role
from cmm.core.templatetags.cmm import register_state_labels
from referrals.forms import LinkForm, ReferForm
from referrals.steps import Step, register_step


def _case_counts(user: AbstractBaseUser, roles: set) -> dict:
    counts = {}
    if Role.CONTACT_PERSON in roles:
        counts["my_cases"] = my_cases(user)
    if Role.SUPERVISOR in roles:
        counts["unassigned_cases"] = unassigned_cases(user)
    return counts


def _case_page(*perms: str) -> AccessCheck:
    """A page of a course: the user sees the course and holds one of `perms` on it (role-wide
    or on this very course), as the view asks. Never for an anonymised course: nothing on it
    can be changed, and its drafts are deleted with its personal data."""

    def check(user: AbstractBaseUser, pk: int, **_kwargs) -> bool:
        case = Case.objects.filter(pk=pk).first()
        if case is None or case.is_anonymised or not user_may(user, "cases.view_case", case):
            return False
        return not perms or any(user_may(user, perm, case) for perm in perms)

    return check


def _case_step(user: AbstractBaseUser, pk: int, step: str, **_kwargs) -> bool:
    from cases.views import STEPS

    return step in STEPS and _case_page(STEPS[step].perm)(user, pk)


def _refer(actor: AbstractBaseUser, common: dict, data: dict) -> str:
    cases = services.inquiry_refer(actor=actor, **common)
    return ngettext(
        "Referred for identification: case %(refs)s awaits a contact person.",
        "Referred for identification: cases %(refs)s await a contact person.",
        len(cases),
    ) % {"refs": ", ".join(c.reference for c in cases)}


def _link(actor: AbstractBaseUser, common: dict, data: dict) -> str:
    services.inquiry_link(actor=actor, **common, case_reference=data["case_reference"])
    return _("The inquiry is linked to the case.")


def register() -> None:
    register_navigation_count(_case_counts)
    # Case states win where a code is shared: they are the ones most timelines show.
    register_state_labels(CaseState.choices, precedence=2)
    register_draft_pages(
        {
            "cases:detail": _case_page(),
            "cases:person": _case_page("cases.work_on_case", "cases.assign_case"),
            "cases:assign": _case_page("cases.assign_case"),
            "cases:link_person": _case_page("cases.assign_case"),
            "cases:interview_new": _case_page("cases.work_on_case"),
            "cases:send": _case_page("cases.work_on_case"),
            "cases:assess": _case_page("cases.work_on_case"),
            "cases:step": _case_step,
        }
    )
    register_step("refer", Step(ReferForm, gettext_lazy("Refer for identification"), _refer))
    register_step("link", Step(LinkForm, gettext_lazy("Link to an existing case"), _link))
