"""Two-factor login in a real browser: the first login sets up the authenticator app from
the server-drawn QR code, under the strict CSP; later logins ask for the app's code."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.conftest import screenshot
from tests.twofactor import app_device_for, code_now

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_first_login_enrols_the_app_and_shows_the_recovery_codes_once(
    browser, live_server, hanne
):
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(f"{live_server.url}/inquiries/")
        page.fill("#id_username", hanne.username)
        page.fill("#id_password", "test-password-123")
        page.click("main button[type=submit]")
        page.wait_for_url("**/accounts/two-factor/enrol/**")
        qr = page.locator(".cmm-qr svg")
        qr.wait_for()
        box = qr.bounding_box()
        assert box["width"] > 100 and box["height"] > 100  # drawn at its size by cmm.css
        screenshot(page, "two-factor-enrol")

        device = TOTPDevice.objects.get(user=hanne, confirmed=False)
        page.fill("#id_code", code_now(device, allow_reuse=False))
        page.get_by_role("button", name="Bekræft").click()
        page.get_by_role("heading", name="Dine gendannelseskoder").wait_for()
        assert page.locator(".cmm-recovery-codes li").count() == 10
        page.get_by_role("link", name="Jeg har gemt koderne, fortsæt").click()
        page.wait_for_url("**/inquiries/")
        assert page.get_by_role("link", name="Henvendelser").count() >= 1
        assert not [text for text in console if "Content Security Policy" in text], console
    finally:
        context.close()


def test_a_later_login_asks_for_the_code_and_refuses_a_wrong_one(open_as, live_server, hanne):
    open_as(hanne)  # sets up the app and logs in once
    page = open_as(hanne)  # a second browser: the password, then the second-factor page
    page.get_by_role("link", name="Henvendelser").first.wait_for()
    page.get_by_role("button", name="Log ud").click()
    page.fill("#id_username", hanne.username)
    page.fill("#id_password", "test-password-123")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    right = code_now(TOTPDevice.objects.get(user=hanne, confirmed=True))
    page.fill("#id_code", "000000" if right != "000000" else "111111")
    page.click("main button[type=submit]")
    page.get_by_text("Koden er forkert").wait_for()
    assert page.locator("#id_code").get_attribute("aria-invalid") == "true"
    page.goto(f"{live_server.url}/inquiries/")
    assert "/accounts/two-factor/" in page.url


def test_the_second_factor_pages_have_no_serious_accessibility_violations(
    browser, live_server, hanne, karin
):
    from tests.e2e.test_accessibility import violations

    found = {}
    contexts = []
    try:
        for user, expected in ((hanne, "/enrol/"), (karin, "/two-factor/")):
            if user == karin:
                app_device_for(karin)
            # Each user in a browser context of their own, as everywhere else in these tests.
            context = browser.new_context(locale="da-DK")
            contexts.append(context)
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", "test-password-123")
            page.click("main button[type=submit]")
            page.wait_for_url(f"**{expected}**")
            page.click("main button[type=submit]")  # an empty code: the error state too
            page.locator(".form-error-message").first.wait_for()
            problems = violations(page)
            if problems:
                found[user.username] = problems
    finally:
        for context in contexts:
            context.close()
    assert found == {}
