"""The API's reference page in the browser: under the page's own Content Security Policy,
nothing refused, nothing loaded from elsewhere, and no serious accessibility violation."""

import pytest

from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_page_renders_under_its_policy_and_passes_axe(browser, live_server):
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    refused, requested = [], []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.on("request", lambda r: requested.append(r.url))
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"] or (
        "script-src" in response.headers["content-security-policy"]
    )
    page.get_by_role("heading", name="POST /api/v1/inquiries/ · Submit a referral").wait_for()
    assert page.get_by_role("link", name="OpenAPI-skemaet (JSON)").count() == 1
    assert refused == []
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert violations(page) == []
    context.close()
