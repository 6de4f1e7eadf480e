"""A screenshot of every main page at 1366x768 (test-artifacts/screenshots/), each checked
to have loaded (a success status, its heading visible, no error or refusal page) and by
axe-core (no serious or critical violation)."""

import re

import pytest
from django.utils import timezone

from cases import queues
from cases import services as case_services
from repatriation import services as return_services
from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import violations
from tests.factories import case_in, make_inquiry

pytestmark = pytest.mark.django_db(transaction=True)

ERROR_PAGES = ("Siden findes ikke", "Ingen adgang", "Server Error", "Traceback")


def loaded(page, response, name: str) -> None:
    assert response is not None and response.ok, f"{name}: {response and response.status}"
    assert page.locator("h1").first.is_visible(), f"{name}: no heading"
    heading = page.locator("h1").first.inner_text()
    assert not any(e in heading for e in ERROR_PAGES), f"{name}: {heading}"
    screenshot(page, name)


def visit(found: dict, page, url: str, name: str) -> None:
    """Open, check and photograph a page, and add its serious accessibility violations to
    `found`."""
    loaded(page, page.goto(url), name)
    problems = violations(page)
    if problems:
        found[name] = problems
    # A menu entry's count stays on the line of its name.
    lines = page.locator(".cmm-nav a").evaluate_all(
        "links => links.map(a => a.getClientRects().length)"
    )
    assert set(lines) <= {1}, f"{name}: a menu entry wraps"


def supported_case(hanne, tove, karin):
    """A case receiving support, with its reflection period, a placement and a return."""
    case = case_in(
        "assessed_trafficked",
        hotline=hanne,
        supervisor=tove,
        contact=karin,
        residence="legal_residence",
    )
    today = timezone.localdate()
    case_services.case_answer_offer(
        actor=karin, case_id=case.pk, version=case.version, accepted=True, on=today
    )
    case.refresh_from_db()
    case_services.reflection_start(
        actor=karin, case_id=case.pk, version=case.version, starts_on=today, granted_by="cmm"
    )
    case.refresh_from_db()
    case_services.placement_add(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        data={"housing_type": "crisis_centre", "place": "Krisecenter Øst", "starts_on": today},
    )
    case.refresh_from_db()
    prepared = return_services.return_start(actor=karin, case_id=case.pk, case_version=case.version)
    case.refresh_from_db()
    return case, prepared


def test_every_main_page_loads_and_is_photographed(
    browser, open_as, live_server, hanne, karin, tove, stig, anna
):
    url = live_server.url
    found: dict[str, list[str]] = {}
    inquiry = make_inquiry(hanne)
    interviewing = case_in(
        "interviewing", hotline=hanne, supervisor=tove, contact=karin, residence="legal_residence"
    )
    awaiting = case_in(
        "awaiting_cmm_assessment",
        hotline=hanne,
        supervisor=tove,
        contact=karin,
        residence="legal_residence",
    )
    case, prepared = supported_case(hanne, tove, karin)
    placement = case.placements.get()

    # Login, before anyone is logged in.
    anonymous = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
    try:
        login = anonymous.new_page()
        visit(found, login, f"{url}/accounts/login/", "login")
    finally:
        anonymous.close()

    # Hotline.
    page = open_as(hanne)
    visit(found, page, f"{url}/", "home-hotline")
    visit(found, page, f"{url}/inquiries/new/", "hotline-form")
    visit(found, page, f"{url}/inquiries/{inquiry.pk}/", "inquiry-detail")
    visit(found, page, f"{url}/inquiries/{inquiry.pk}/edit/", "inquiry-edit")
    for step in ("triage", "close"):
        visit(found, page, f"{url}/inquiries/{inquiry.pk}/{step}/", f"inquiry-{step}")

    # Contact person: the case page and each of its step pages.
    page = open_as(karin)
    visit(found, page, f"{url}/", "home-contact-person")
    visit(found, page, f"{url}/cases/mine/", "my-cases")
    visit(found, page, f"{url}/cases/{interviewing.pk}/", "case-interviewing")
    visit(found, page, f"{url}/cases/{interviewing.pk}/interviews/new/", "case-step-interview")
    visit(found, page, f"{url}/cases/{interviewing.pk}/send/", "case-step-send")
    visit(found, page, f"{url}/cases/{awaiting.pk}/assess/", "case-step-assess")
    visit(found, page, f"{url}/cases/{case.pk}/", "case-in-support")
    visit(found, page, f"{url}/cases/{case.pk}/timeline/", "case-timeline")
    visit(found, page, f"{url}/cases/{case.pk}/person/", "case-step-person")
    for step in ("extend", "placement", "service", "minor", "police-report", "end"):
        visit(found, page, f"{url}/cases/{case.pk}/{step}/", f"case-step-{step}")
    visit(
        found,
        page,
        f"{url}/cases/{case.pk}/placement-end/?placement={placement.pk}",
        "case-step-placement-end",
    )
    visit(found, page, f"{url}/cases/{awaiting.pk}/", "case-awaiting-assessment")
    visit(found, page, f"{url}/cases/queues/", "queues-contact-person")
    # Search by POST from the menu, as a user does.
    page.fill("#nav-search", case.reference)
    with page.expect_navigation() as navigation:
        page.press("#nav-search", "Enter")
    loaded(page, navigation.value, "search")
    assert page.get_by_role("link", name=case.reference).is_visible()

    # The prepared return's pages.
    visit(found, page, f"{url}/returns/{prepared.pk}/", "return-detail")
    visit(found, page, f"{url}/returns/{prepared.pk}/edit/", "return-edit")
    visit(found, page, f"{url}/returns/{prepared.pk}/payments/new/", "return-payment")
    for step in ("to_safety", "stop"):
        visit(found, page, f"{url}/returns/{prepared.pk}/{step}/", f"return-step-{step}")

    # Supervisor: every queue, workload, assignment, the audit review.
    page = open_as(tove)
    visit(found, page, f"{url}/", "home-supervisor")
    for queue in queues.QUEUES:
        visit(found, page, f"{url}/cases/queues/{queue.slug}/", f"queue-{queue.slug}")
    # Every queue's count sits inside the queue menu, beside its name.
    menu = page.locator(".cmm-queue-nav").bounding_box()
    for count in page.locator(".cmm-queue-nav .cmm-count").all():
        box = count.bounding_box()
        assert box["x"] + box["width"] <= menu["x"] + menu["width"]
    visit(found, page, f"{url}/cases/workload/", "workload")
    visit(found, page, f"{url}/cases/{case.pk}/", "case-supervisor")
    visit(found, page, f"{url}/cases/{case.pk}/assign/", "case-step-assign")
    visit(found, page, f"{url}/audit/cases/{case.pk}/", "audit-person")
    visit(found, page, f"{url}/audit/users/{karin.pk}/", "audit-user")
    visit(found, page, f"{url}/statistics/", "statistics-supervisor")

    # Statistics role.
    page = open_as(stig)
    visit(found, page, f"{url}/", "home-statistics")
    visit(found, page, f"{url}/statistics/", "statistics")
    headings = page.locator("section.cmm-stat-table h2").all_inner_texts()
    assert not [h for h in headings if re.fullmatch(r"[a-z_0-9]+", h)], headings

    # Administrator.
    page = open_as(anna)
    visit(found, page, f"{url}/", "home-administrator")
    visit(found, page, f"{url}/admin/", "admin-index")

    # axe-core on every one of these pages: no serious or critical violation.
    assert found == {}
