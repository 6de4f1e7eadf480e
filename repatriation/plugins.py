"""What repatriation plugs into the floors below: its state labels, its form pages worth a
draft, its two queues, and the prepared return's panel on the case page. Loaded by
RepatriationConfig.ready()."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import queues
from cases.models import Case
from cases.panels import Panel, register_panel
from cmm.core.access import user_may
from cmm.core.drafts import register_draft_pages
from cmm.core.templatetags.cmm import register_state_labels
from repatriation.models import STEP_ORDER, PreparedReturn, ReturnState, may_manage

RETURN = "return"


def _return_page(user: AbstractBaseUser, pk: int, step: str | None = None, **_kw) -> bool:
    from repatriation.views import STEP_TITLES

    if step is not None and step not in STEP_TITLES:
        return False
    prepared = PreparedReturn.objects.select_related("case").filter(pk=pk).first()
    if prepared is None or prepared.case.is_anonymised:
        return False
    return user_may(user, "cases.view_case", prepared.case) and may_manage(prepared, user)


def _case_panel(request: HttpRequest, case: Case, facts: dict) -> dict | None:
    prepared = PreparedReturn.objects.filter(case=case).first()
    can_start = (
        prepared is None
        and facts["in_support"]
        and (facts["can_work"] or request.user.has_perm("repatriation.manage_prepared_return"))
    )
    if prepared is None and not can_start:
        return None
    return {"prepared_return": prepared, "can_start_return": can_start}


STALLED = queues.Queue(
    "returns-stalled",
    queues.titled(
        _("Prepared returns with no step for {days} days"),
        lambda v: v.queues.stalled_return_days,
    ),
    RETURN,
    lambda qs, now: qs.filter(
        queues.by_own_date(
            "state_changed_at",
            lambda v: Q(state_changed_at__lt=now - timedelta(days=v.queues.stalled_return_days)),
        ),
        state__in=[s for s in STEP_ORDER if s != ReturnState.FOLLOW_UP],
    ).order_by("state_changed_at", "id"),
)
PAYMENTS_DUE = queues.Queue(
    "payments-due",
    _("Reintegration payments due"),
    RETURN,
    lambda qs, now: (
        qs.exclude(state=ReturnState.STOPPED)
        .filter(next_payment_due_on__lte=timezone.localdate(now))
        .order_by("next_payment_due_on", "id")
    ),
)


def register() -> None:
    register_state_labels(ReturnState.choices, precedence=0)
    register_draft_pages(
        {
            "repatriation:edit": _return_page,
            "repatriation:payment_add": _return_page,
            "repatriation:step": _return_page,
        }
    )
    queues.register_kind(
        queues.Kind(
            name=RETURN,
            source=lambda cases: PreparedReturn.objects.filter(case__in=cases),
            sorts={"reference": "case__reference", "name": "case__person__name"},
            related=("case__person", "case__contact_person"),
            rows_template="repatriation/_queue_rows.html",
        )
    )
    # In the supervisors' working order: after the reflection periods, before inactivity.
    queues.register_queue(STALLED, before="inactive")
    queues.register_queue(PAYMENTS_DUE, before="inactive")
    register_panel(Panel("repatriation/_case_panel.html", _case_panel))
