"""The hotline's work in a real browser: register a call, triage, refer, close."""

import pytest

from referrals.models import Inquiry, InquiryState
from tests.e2e.conftest import screenshot
from tests.factories import make_inquiry

pytestmark = pytest.mark.django_db(transaction=True)


def test_hotline_registers_triages_and_refers_and_the_supervisor_sees_the_person(
    open_as, hanne, tove
):
    page = open_as(hanne)
    page.get_by_role("link", name="Registrér en henvendelse").click()
    page.select_option("#id_channel", "hotline")
    page.select_option("#id_caller_type", "police")
    page.select_option("#id_subject", "possible_victim")
    page.select_option("#id_urgency", "custody")
    page.fill("#id_summary", "Kvinde anholdt ved razzia.")
    page.fill("#id_persons-0-alias", "Åse Ødegård")
    page.select_option("#id_persons-0-nationality", "NG")
    screenshot(page, "hotline-register")
    page.get_by_role("button", name="Registrér", exact=True).click()

    page.get_by_text("er registreret").wait_for()
    inquiry = Inquiry.objects.get()
    assert inquiry.persons.get().alias == "Åse Ødegård"

    page.get_by_role("link", name="Visitér").click()
    page.fill("#id_note", "Arresten venter")
    page.get_by_role("button", name="Bekræft").click()
    page.get_by_role("link", name="Henvis til udredning").click()
    page.get_by_role("button", name="Bekræft").click()
    page.get_by_text("Henvist til udredning").first.wait_for()
    screenshot(page, "hotline-inquiry-referred")
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.REFERRED

    supervisor = open_as(tove)
    supervisor.get_by_role("link", name="Ikke fordelt").first.wait_for()
    assert "Åse Ødegård" in supervisor.content()
    screenshot(supervisor, "supervisor-unassigned")


def test_hotline_closes_an_inquiry_with_a_reason(open_as, live_server, hanne):
    inquiry = make_inquiry(hanne, state="triaged")
    page = open_as(hanne)
    page.goto(f"{live_server.url}/inquiries/{inquiry.pk}/")
    page.get_by_role("link", name="Afslut").click()
    page.get_by_role("button", name="Bekræft").click()
    assert page.locator(".form-error-message").count() == 1  # the reason is required
    page.select_option("#id_reason", "advice_given")
    page.get_by_role("button", name="Bekræft").click()
    page.get_by_text("Henvendelsen er afsluttet").wait_for()
    inquiry.refresh_from_db()
    assert (inquiry.state, inquiry.close_reason) == (InquiryState.CLOSED, "advice_given")
