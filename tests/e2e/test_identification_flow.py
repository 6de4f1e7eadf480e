"""Identification in a real browser: the supervisor assigns, the contact person interviews
twice, sends the report to the Immigration Service and records the decision; a colleague
opening the case by its URL finds nothing."""

import pytest
from django.utils import timezone

from cases.models import CaseState
from tests.e2e.conftest import screenshot
from tests.factories import referred_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_identification_from_assignment_to_decision(
    open_as, live_server, hanne, tove, karin, kasper
):
    case = referred_case(hanne)
    case_url = f"{live_server.url}/cases/{case.pk}/"

    boss = open_as(tove)
    boss.get_by_role("link", name=case.reference).click()
    boss.get_by_role("link", name="Tildel en kontaktperson").click()
    boss.select_option("#id_contact_person", str(karin.pk))
    boss.get_by_role("button", name="Gem").click()
    boss.get_by_text("Kontaktpersonen er tildelt").wait_for()

    me = open_as(karin)
    me.get_by_role("link", name=case.reference).click()
    me.get_by_role("link", name="Ret personens oplysninger").click()
    me.select_option("#id_residence_status", "no_legal_residence")
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Personens oplysninger er gemt").wait_for()

    for hours, place in ((30, "Asylcenter"), (2, "CMM")):
        me.get_by_role("link", name="Registrér en samtale").click()
        held = timezone.localtime() - timezone.timedelta(hours=hours)
        me.fill("#id_held_at", held.strftime("%Y-%m-%dT%H:%M"))
        me.fill("#id_place", place)
        me.check("text=Gæld")
        me.select_option("#id_recommendation", "trafficked")
        me.get_by_role("button", name="Gem").click()
        me.get_by_text("Samtalen er registreret").wait_for()

    me.get_by_role("link", name="Send til vurdering").click()
    assert me.input_value("#id_authority") == "immigration_service"
    me.fill("#id_sent_on", (timezone.localdate() - timezone.timedelta(days=4)).isoformat())
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("4 dage indtil nu").wait_for()
    screenshot(me, "case-awaiting-decision")

    me.get_by_role("link", name="Registrér vurderingen").click()
    me.select_option("#id_outcome", "trafficked")
    me.fill("#id_decided_on", timezone.localdate().isoformat())
    me.select_option("#id_contact_actor", "police")
    me.select_option("#id_exploitation_form", "forced_labour")
    me.select_option("#id_forced_labour_industry", "construction")
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Vurderingen er registreret").wait_for()
    screenshot(me, "case-assessed")
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSED_TRAFFICKED
    assert case.interviews.count() == 2

    colleague = open_as(kasper)
    response = colleague.goto(case_url)
    assert response.status == 404
    assert case.person.name not in colleague.content()
