"""The supervisors' rules pages: a proposal made in the form, another supervisor's approval
beside the version it succeeds, and the refusals."""

import copy
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import rules
from cmm.audit.models import AuditEvent
from rules import services
from rules.forms import field_name
from rules.models import RuleVersion
from rules.values import SETTINGS, get
from tests.factories import UserFactory, case_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def vibeke(db):
    return UserFactory(username="vibeke", role="supervisor")


def form_data(values: dict, *, new_codes=None, retired=(), **changes) -> dict:
    """The proposal form as the browser posts it, from a version's values: the settings,
    and each code list's rows (a held code's place, labels and box; the empty row for a
    new one, filled from `new_codes` {list: entry}); `retired` holds (list, code)."""
    data = {}
    for setting in SETTINGS:
        value = changes.get(setting.key, get(values, setting.key))
        data[field_name(setting.key)] = value if isinstance(value, list) else str(value)
    for name, entries in values["codes"].items():
        prefix = f"codes-{name}"
        data |= {f"{prefix}-TOTAL_FORMS": len(entries) + 1, f"{prefix}-INITIAL_FORMS": len(entries)}
        for i, entry in enumerate(entries):
            data |= {f"{prefix}-{i}-order": i + 1, f"{prefix}-{i}-da": entry["da"]}
            data[f"{prefix}-{i}-en"] = entry["en"]
            if entry["active"] and (name, entry["code"]) not in retired:
                data[f"{prefix}-{i}-active"] = "on"
        new = (new_codes or {}).get(name, {"active": True})
        for key in ("order", "code", "da", "en", "category"):
            if new.get(key):
                data[f"{prefix}-{len(entries)}-{key}"] = new[key]
        if new.get("active"):
            data[f"{prefix}-{len(entries)}-active"] = "on"
    return data


def propose(client, new_codes=None, retired=(), **changes):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = form_data(services.in_force().values, new_codes=new_codes, retired=retired, **changes)
    data |= {"effective_from": tomorrow.isoformat(), "reason": "Ny finanslov: højere loft."}
    return client.post(reverse("rules:propose"), data)


def test_a_proposal_takes_effect_only_after_another_supervisors_approval(login, tove, vibeke):
    response = propose(login(tove), **{"grants.in_kind_per_adult": 45000})
    version = RuleVersion.objects.get(status=RuleVersion.Status.PROPOSED)
    assert response.status_code == 302
    assert response["Location"] == reverse("rules:detail", args=[version.pk])
    tomorrow = version.effective_from
    assert rules.at(tomorrow).grants.in_kind_per_adult == 40000

    # The proposer is not offered the approval, and cannot approve by posting.
    own = login(tove).get(reverse("rules:detail", args=[version.pk]))
    assert b'value="approve"' not in own.content
    login(tove).post(
        reverse("rules:decide", args=[version.pk]), {"decision": "approve", "compared": "on"}
    )
    assert RuleVersion.objects.get(pk=version.pk).status == RuleVersion.Status.PROPOSED

    # The second supervisor sees both versions side by side, the change marked.
    page = login(vibeke).get(reverse("rules:detail", args=[version.pk])).content.decode()
    assert "40.000" in page and "<strong>45.000</strong>" in page
    assert page.count("(ændret)") == 1
    login(vibeke).post(
        reverse("rules:decide", args=[version.pk]), {"decision": "approve", "compared": "on"}
    )
    version.refresh_from_db()
    assert version.status == RuleVersion.Status.APPROVED and version.decided_by == vibeke
    assert rules.at(tomorrow - timedelta(days=1)).grants.in_kind_per_adult == 40000
    assert rules.at(tomorrow).grants.in_kind_per_adult == 45000
    trail = AuditEvent.objects.filter(object_ref=version.reference)
    assert {(e.action, e.actor) for e in trail if e.action != "view"} == {
        ("create", tove),
        ("transition", vibeke),
    }


def test_approval_needs_the_comparison_confirmed(login, tove, vibeke):
    propose(login(tove), **{"reflection.base_days": 45})
    version = RuleVersion.objects.get(status=RuleVersion.Status.PROPOSED)
    response = login(vibeke).post(
        reverse("rules:decide", args=[version.pk]), {"decision": "approve"}, follow=True
    )
    assert "Bekræft" in response.content.decode()
    assert RuleVersion.objects.get(pk=version.pk).status == RuleVersion.Status.PROPOSED


def test_a_proposal_for_today_or_with_bad_values_is_refused_field_by_field(login, tove):
    data = form_data(services.in_force().values, **{"reflection.max_days": 20})
    data |= {"effective_from": timezone.localdate().isoformat(), "reason": "x"}
    response = login(tove).post(reverse("rules:propose"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "kan ikke være kortere end perioden" in page
    assert not RuleVersion.objects.filter(status=RuleVersion.Status.PROPOSED).exists()
    data = form_data(services.in_force().values)
    data |= {"effective_from": timezone.localdate().isoformat(), "reason": "x"}
    page = login(tove).post(reverse("rules:propose"), data).content.decode()
    assert "fra i morgen" in page
    assert not RuleVersion.objects.filter(status=RuleVersion.Status.PROPOSED).exists()


def test_turning_down_needs_a_reason_and_is_audited(login, tove, vibeke):
    propose(login(tove), **{"queues.inactive_days": 20})
    version = RuleVersion.objects.get(status=RuleVersion.Status.PROPOSED)
    login(vibeke).post(reverse("rules:decide", args=[version.pk]), {"decision": "reject"})
    assert RuleVersion.objects.get(pk=version.pk).status == RuleVersion.Status.PROPOSED
    login(vibeke).post(
        reverse("rules:decide", args=[version.pk]),
        {"decision": "reject", "note": "Ikke besluttet endnu."},
    )
    version.refresh_from_db()
    assert version.status == RuleVersion.Status.REJECTED
    assert AuditEvent.objects.filter(
        object_ref=version.reference, to_state="rejected", reason="Ikke besluttet endnu."
    ).exists()
    assert rules.at(version.effective_from).queues.inactive_days == 30


def test_an_approval_after_the_date_has_come_is_refused(login, tove, vibeke):
    propose(login(tove), **{"reflection.base_days": 45})
    version = RuleVersion.objects.get(status=RuleVersion.Status.PROPOSED)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        response = login(vibeke).post(
            reverse("rules:decide", args=[version.pk]),
            {"decision": "approve", "compared": "on"},
            follow=True,
        )
    assert "fra i morgen" in response.content.decode()
    assert RuleVersion.objects.get(pk=version.pk).status == RuleVersion.Status.PROPOSED


@pytest.mark.parametrize("who", ["hanne", "stig", "karin", "anna"])
def test_only_supervisors_see_or_propose_rules(request, login, who, tove):
    user = request.getfixturevalue(who)
    client = login(user)
    assert client.get(reverse("rules:list")).status_code == 403
    assert propose(client, **{"reflection.base_days": 45}).status_code == 403
    assert not RuleVersion.objects.filter(status=RuleVersion.Status.PROPOSED).exists()


def test_the_list_shows_the_rules_in_force_and_what_is_coming(login, tove, vibeke):
    values = copy.deepcopy(services.in_force().values)
    values["reflection"]["base_days"] = 45
    version = services.version_propose(
        actor=tove,
        effective_from=timezone.localdate() + timedelta(days=10),
        values=values,
        reason="Længere periode.",
    )
    services.version_approve(actor=vibeke, version_id=version.pk)
    page = login(tove).get(reverse("rules:list")).content.decode()
    assert "Længere periode." in page and "(kommende)" in page
    assert "afgørelsesdatoen" in page
    # The code lists in force, each code with its labels and the category it counts under.
    assert (
        "<td>Arbejdstilsynet</td><td>Working Environment Authority</td><td>Arbejdstilsynet</td>"
        in page
    )


def test_a_page_reads_the_rules_once_however_many_ask(login, tove, karin, hanne):
    for _ in range(3):
        case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    client = login(tove)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("cases:queues")).status_code == 200
    reads = [q for q in captured.captured_queries if "rules_ruleversion" in q["sql"]]
    assert len(reads) == 1
