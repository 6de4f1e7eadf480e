"""Two supervisors change the rules in the browser: one proposes a higher in-kind cap and a
longer reflection period from tomorrow, or a new code in a code list, the other approves
beside the rules in force. The change takes effect on its date; a course decided before
keeps its rules."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

import rules
from cases import services as case_services
from cases.models import Case
from referrals.models import Inquiry
from rules.models import RuleVersion
from stats.counting import statistics_for
from tests.e2e.conftest import screenshot
from tests.factories import UserFactory, case_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_supervisors_change_a_cap_and_the_period_from_a_date(open_as, hanne, tove, karin):
    sune = UserFactory(username="sune", role="supervisor")
    tomorrow = timezone.localdate() + timedelta(days=1)
    decided_before = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)

    page = open_as(tove)
    page.get_by_role("link", name="Regler").click()
    page.get_by_role("link", name="Foreslå en ny version").click()
    page.fill("#id_effective_from", tomorrow.isoformat())
    page.fill("#id_reason", "Ny finanslov og ændret lov: højere loft og længere periode.")
    page.fill("#id_grants__in_kind_per_adult", "45000")
    page.fill("#id_reflection__base_days", "45")
    page.fill("#id_reflection__max_days", "150")
    page.get_by_role("button", name="Foreslå versionen").click()
    page.get_by_text("En anden teamleder skal godkende det.").wait_for()
    # The proposer is not offered the approval.
    assert page.get_by_role("button", name="Godkend versionen").count() == 0

    page = open_as(sune)
    page.get_by_role("link", name="Regler").click()
    page.get_by_role("link", name=f"Fra {tomorrow:%d.%m.%Y}").click()
    # Side by side: the three settings that change are marked, old and new value in a row.
    changed = page.locator("tr.cmm-changed")
    assert changed.count() == 3
    cap = changed.filter(has_text="Naturaliestøtte pr. voksen").inner_text()
    assert "40.000" in cap and "45.000" in cap
    page.get_by_label("Jeg har sammenlignet forslaget med de gældende regler").check()
    page.get_by_role("button", name="Godkend versionen").click()
    page.get_by_text(f"Versionen er godkendt: den gælder fra {tomorrow:%d-%m-%Y}.").wait_for()

    version = RuleVersion.objects.get(effective_from=tomorrow)
    assert version.status == RuleVersion.Status.APPROVED
    assert (version.proposed_by, version.decided_by) == (tove, sune)
    # Today is still governed by the rules in force.
    assert rules.today().grants.in_kind_per_adult == 40000
    assert rules.at(tomorrow).grants.in_kind_per_adult == 45000

    # From tomorrow: the course decided before keeps its 30 days; one decided after gets 45.
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        period = case_services.reflection_start(
            actor=karin,
            case_id=decided_before.pk,
            version=Case.objects.get(pk=decided_before.pk).version,
            starts_on=timezone.localdate(),
            granted_by="immigration_service",
        )
        assert (period.total_days, period.max_days) == (30, 120)
        decided_after = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
        assert decided_after.assessment.decided_on >= tomorrow
        period = case_services.reflection_start(
            actor=karin,
            case_id=decided_after.pk,
            version=Case.objects.get(pk=decided_after.pk).version,
            starts_on=timezone.localdate(),
            granted_by="immigration_service",
        )
        assert (period.total_days, period.max_days) == (45, 150)


def test_two_supervisors_add_a_code_that_forms_offer_from_its_date(open_as, hanne, tove):
    """A new caller type from tomorrow, counted as "other" in the statistics: the hotline
    is offered it from that day, and the year's table has the call under its category."""
    sune = UserFactory(username="sune", role="supervisor")
    tomorrow = timezone.localdate() + timedelta(days=1)

    page = open_as(tove)
    page.get_by_role("link", name="Regler").click()
    page.get_by_role("link", name="Foreslå en ny version").click()
    page.fill("#id_effective_from", tomorrow.isoformat())
    page.fill("#id_reason", "Ambassaderne henvender sig nu selv: ny henvenderkode.")
    page.locator("#codes-contact_actor summary").click()
    new = "#id_codes-contact_actor-22"  # the empty row after the 22 codes in force
    page.fill(f"{new}-code", "embassy")
    page.fill(f"{new}-da", "Ambassade")
    page.fill(f"{new}-en", "Embassy")
    page.select_option(f"{new}-category", "other")
    screenshot(page, "rules-propose-a-code")
    page.get_by_role("button", name="Foreslå versionen").click()
    page.get_by_text("En anden teamleder skal godkende det.").wait_for()

    page = open_as(sune)
    page.get_by_role("link", name="Regler").click()
    page.get_by_role("link", name=f"Fra {tomorrow:%d.%m.%Y}").click()
    changed = page.locator("tr.cmm-changed")
    assert changed.count() == 1
    assert "23. Ambassade / Embassy · tæller som Andet · aktiv" in changed.inner_text()
    page.get_by_label("Jeg har sammenlignet forslaget med de gældende regler").check()
    page.get_by_role("button", name="Godkend versionen").click()
    page.get_by_text(f"Versionen er godkendt: den gælder fra {tomorrow:%d-%m-%Y}.").wait_for()

    hotline = open_as(hanne)
    hotline.get_by_role("link", name="Registrér en henvendelse").click()
    assert hotline.locator("#id_caller_type option[value=embassy]").count() == 0

    with time_machine.travel(timezone.now() + timedelta(days=1), tick=True):
        hotline = open_as(hanne)
        hotline.get_by_role("link", name="Registrér en henvendelse").click()
        hotline.select_option("#id_channel", "hotline")
        hotline.select_option("#id_caller_type", label="Ambassade")
        hotline.select_option("#id_subject", "possible_victim")
        hotline.select_option("#id_urgency", "none")
        hotline.fill("#id_summary", "Ambassaden ringer om en landsmand.")
        hotline.get_by_role("button", name="Registrér", exact=True).click()
        hotline.locator(".alert-text", has_text="er registreret").wait_for()
        assert "Ambassade" in hotline.locator("main").inner_text()
        figures = statistics_for(timezone.localdate().year)["hotline_calls"]
    assert Inquiry.objects.get().caller_type == "embassy"
    assert figures["by_caller_type"] == {"other": 1}
