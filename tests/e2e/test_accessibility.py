"""axe-core on the main pages, in the browser: no serious or critical violation."""

from pathlib import Path

import pytest

from tests.factories import case_in, make_inquiry

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text(encoding="utf-8") + "\n;undefined"


def violations(page) -> list[str]:
    # Evaluated through the browser's debugging protocol, which the page's Content Security
    # Policy does not govern (a <script> tag would be refused): the pages are checked
    # under the policy they are served with.
    page.evaluate(AXE_SOURCE)
    # page.evaluate waits without a limit; a run that never settles must fail the test, not
    # stall the suite, so the result is polled for with Playwright's timeout instead.
    page.evaluate(
        """() => { window.__axe = null;
        axe.run(document).then(r => { window.__axe = {result: r}; },
                               e => { window.__axe = {error: String(e)}; }); }"""
    )
    page.wait_for_function("window.__axe !== null", timeout=60_000)
    outcome = page.evaluate("window.__axe")
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_violations(
    open_as, live_server, hanne, tove, karin, stig
):
    inquiry = make_inquiry(hanne)
    case = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    pages = {
        hanne: [
            "/inquiries/",
            "/inquiries/new/",
            f"/inquiries/{inquiry.pk}/",
            f"/inquiries/{inquiry.pk}/triage/",
        ],
        karin: [
            "/cases/mine/",
            f"/cases/{case.pk}/",
            f"/cases/{case.pk}/interviews/new/",
            f"/cases/{case.pk}/send/",
        ],
        tove: [
            "/cases/unassigned/",
            "/cases/queues/awaiting-interview/",
            "/cases/workload/",
            f"/cases/{case.pk}/assign/",
            "/rules/",
            "/rules/propose/",
        ],
        stig: ["/statistics/"],
    }
    found = {}
    for user, paths in pages.items():
        page = open_as(user)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            # What folds away (the rules' code lists, for one) is checked unfolded.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            problems = violations(page)
            if problems:
                found[path] = problems
    assert found == {}


def test_the_checker_finds_a_violation_under_the_pages_policy(open_as, live_server, hanne):
    # Without this, a checker that silently failed to load would pass every page above.
    page = open_as(hanne)
    page.goto(f"{live_server.url}/inquiries/")
    page.evaluate("document.querySelector('main').append(document.createElement('select'))")
    assert any(v.startswith("select-name") for v in violations(page))
