"""Browser tests: Playwright driving the OS's Chromium against Django's live server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.twofactor import app_device_for, code_now

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests
# make themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_as(browser, live_server):
    """A page logged in with both factors for `user`, in its own browser context (its own
    session): the login form, then the second-factor form with the app's current code."""
    contexts = []

    def _open(user, password="test-password-123"):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
        contexts.append(context)
        page = context.new_page()
        app_device_for(user)  # set up before the login, as the person did once
        page.goto(f"{live_server.url}/accounts/login/")
        log_in(page, user, password)
        return page

    yield _open
    for context in contexts:
        context.close()


def log_in(page, user, password="test-password-123") -> None:
    """Log in on the login page the browser shows now: `open_as` and a test that is sent
    back to the login page (its ?next= intact) log in by this one code path."""
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    # The second factor, as a person types it: the code the app computes from its key.
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_code", code_now(app_device_for(user)))
    # Return only once the page after the login has loaded: a test that navigates while the
    # code is still being sent would abort the request that sets the session cookie.
    with page.expect_navigation():
        page.click("main button[type=submit]")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
