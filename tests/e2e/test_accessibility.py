"""axe-core on the main pages, in the browser: no serious or critical violation."""

from pathlib import Path

import pytest

from tests.factories import case_in, make_inquiry

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
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
        ],
        stig: ["/statistics/"],
    }
    found = {}
    for user, paths in pages.items():
        page = open_as(user, bypass_csp=True)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            problems = violations(page)
            if problems:
                found[path] = problems
    assert found == {}
