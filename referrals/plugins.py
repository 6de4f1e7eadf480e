"""What referrals plugs into the ground floor (cmm.core) and offers the floors above:
its navigation count, its state labels, its form pages worth a draft and its own steps.
Loaded by ReferralsConfig.ready()."""

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmm.core.access import user_may
from cmm.core.context_processors import register_navigation_count
from cmm.core.drafts import register_draft_pages
from cmm.core.templatetags.cmm import register_state_labels
from cmm.core.transitions import may_take
from referrals import services
from referrals.forms import CloseForm, TriageForm
from referrals.models import Inquiry, InquiryState
from referrals.selectors import open_inquiries
from referrals.steps import STEPS, Step, register_step


def _open_inquiries(user: AbstractBaseUser, roles: set) -> dict:
    return {"open_inquiries": open_inquiries()} if user.has_perm("referrals.view_inquiry") else {}


def _inquiry_page(perm: str, *, open_only: bool = False):
    def check(user: AbstractBaseUser, pk: int, **_kwargs) -> bool:
        inquiry = Inquiry.objects.filter(pk=pk).first()
        if inquiry is None or not user_may(user, perm, inquiry):
            return False
        return inquiry.is_open or not open_only

    return check


def _inquiry_create(user: AbstractBaseUser, **_kwargs) -> bool:
    return user.has_perm("referrals.add_inquiry")


def _inquiry_step(user: AbstractBaseUser, pk: int, step: str, **_kwargs) -> bool:
    inquiry = Inquiry.objects.filter(pk=pk).first()
    return (
        step in STEPS
        and inquiry is not None
        and user_may(user, "referrals.view_inquiry", inquiry)
        and may_take(user, inquiry, step)
    )


def _triage(actor: AbstractBaseUser, common: dict, data: dict) -> str:
    services.inquiry_triage(actor=actor, **common, note=data["note"])
    return _("The inquiry is triaged.")


def _close(actor: AbstractBaseUser, common: dict, data: dict) -> str:
    services.inquiry_close(actor=actor, **common, reason=data["reason"], note=data["note"])
    return _("The inquiry is closed.")


def register() -> None:
    register_navigation_count(_open_inquiries)
    register_state_labels(InquiryState.choices, precedence=1)
    register_draft_pages(
        {
            "referrals:create": _inquiry_create,
            "referrals:edit": _inquiry_page("referrals.change_inquiry", open_only=True),
            "referrals:transition": _inquiry_step,
        }
    )
    register_step("triage", Step(TriageForm, gettext_lazy("Triage the inquiry"), _triage))
    register_step("close", Step(CloseForm, gettext_lazy("Close the inquiry"), _close))
