"""Refusals in a real browser: a colleague's case, the statistics role and a supervisor at
a contact person's step each get the refusal page, and a request forged from their own
session changes nothing."""

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import CaseState, ReflectionPeriod
from tests.factories import case_in

pytestmark = pytest.mark.django_db(transaction=True)

NOT_FOUND = "Siden findes ikke, eller du har ikke adgang til den."
NOT_ALLOWED = "Din rolle giver ikke adgang til denne side."


def forged_post(page, url: str, data: dict) -> int:
    """POST `data` to `url` from the page's own session, with its valid CSRF token: what a
    user could send by hand, past what the page offers."""
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = page.request.post(url, form={"csrfmiddlewaretoken": token, **data}, max_redirects=0)
    return response.status


def interview_post(case) -> dict:
    held = timezone.localtime() - timezone.timedelta(hours=1)
    return {
        "version": str(case.version),
        "held_at": held.strftime("%Y-%m-%dT%H:%M"),
        "place": "Forfalsket",
        "recommendation": "trafficked",
    }


def snapshot(case) -> tuple:
    case.refresh_from_db()
    return (case.state, case.version, case.interviews.count(), case.notes.count())


def assert_refused(page, response, status: int, heading: str, text: str) -> None:
    assert response.status == status
    assert page.get_by_role("heading", name=heading).is_visible()
    assert text in page.locator("main").inner_text()


def test_a_contact_person_opening_a_colleagues_case_finds_nothing(
    open_as, live_server, hanne, tove, karin, kasper
):
    case = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    case_url = f"{live_server.url}/cases/{case.pk}/"
    before = snapshot(case)

    page = open_as(kasper)
    page.get_by_role("heading", name="Mine sager").wait_for()
    assert case.reference not in page.content()
    for path in ("", "interviews/new/", "send/", "person/"):
        response = page.goto(case_url + path)
        assert_refused(page, response, 404, "Siden findes ikke", NOT_FOUND)
        assert case.person.name not in page.content()
    # Not through the forms either.
    assert forged_post(page, case_url + "notes/", {"text": "Kollegas note"}) == 404
    assert forged_post(page, case_url + "interviews/new/", interview_post(case)) == 404
    assert snapshot(case) == before

    # The same request from the case's own contact person goes through: the refusals above
    # are the permission's, not the CSRF check's.
    own = open_as(karin)
    assert forged_post(own, case_url + "notes/", {"text": "Egen note"}) == 302
    assert case.notes.get().text == "Egen note"


def test_the_statistics_role_is_refused_every_case(open_as, live_server, hanne, tove, karin, stig):
    case = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    case_url = f"{live_server.url}/cases/{case.pk}/"
    before = snapshot(case)

    page = open_as(stig)
    page.get_by_role("heading", name="Statistik").wait_for()
    response = page.goto(case_url)
    assert_refused(page, response, 404, "Siden findes ikke", NOT_FOUND)
    assert case.person.name not in page.content()
    for path in ("/cases/mine/", "/cases/unassigned/", "/inquiries/"):
        response = page.goto(live_server.url + path)
        assert_refused(page, response, 403, "Ingen adgang", NOT_ALLOWED)
        assert case.reference not in page.content()
    assert forged_post(page, case_url + "notes/", {"text": "Statistikerens note"}) == 404
    assert snapshot(case) == before


def test_a_supervisor_cannot_do_the_contact_persons_steps(open_as, live_server, hanne, tove, karin):
    case = case_in(
        "assessed_trafficked",
        hotline=hanne,
        supervisor=tove,
        contact=karin,
        residence="legal_residence",
    )
    case_services.case_answer_offer(
        actor=karin, case_id=case.pk, version=case.version, accepted=True, on=timezone.localdate()
    )
    case_url = f"{live_server.url}/cases/{case.pk}/"
    before = snapshot(case)
    assert before[0] == CaseState.IN_SUPPORT

    page = open_as(tove)
    page.goto(case_url)
    page.get_by_role("heading", name=f"Sag {case.reference}").wait_for()
    # The case page offers the supervisor no contact-person step ...
    for link in ("Registrér en samtale", "Start refleksionsperioden", "Politianmeldelse"):
        assert page.get_by_role("link", name=link).count() == 0
    assert page.get_by_role("button", name="Tilføj til journalen").count() == 0
    # ... and the steps' own addresses refuse.
    for path in ("interviews/new/", "reflection/", "placement/", "police-report/", "end/"):
        response = page.goto(case_url + path)
        assert_refused(page, response, 403, "Ingen adgang", NOT_ALLOWED)
    status = forged_post(
        page,
        case_url + "reflection/",
        {
            "version": str(before[1]),
            "starts_on": timezone.localdate().isoformat(),
            "granted_by": "cmm",
        },
    )
    assert status == 403
    assert forged_post(page, case_url + "notes/", {"text": "Lederens note"}) == 403
    assert snapshot(case) == before
    # The session's token is good: a supervisor's own action gets through the CSRF check.
    assert forged_post(page, f"{live_server.url}/cases/reassign/", {}) == 302
    assert not ReflectionPeriod.objects.filter(case=case).exists()
