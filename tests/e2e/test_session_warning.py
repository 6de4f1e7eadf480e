"""The session warning and drafts in a real browser, with the session shortened to seconds.

The live server runs in this process, so pytest-django's `settings` reach it.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from cmm.core.models import Draft
from tests.e2e.conftest import log_in, screenshot
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.django_db(transaction=True)

IDLE, WARNING, DRAFT = 15, 8, 4
SUMMARY = "Kvinde ringede fra et værksted; hun taler kun lidt engelsk og"


@pytest.fixture
def short_session(settings):
    settings.CMM_SESSION_IDLE_SECONDS = IDLE
    settings.CMM_SESSION_WARNING_SECONDS = WARNING
    settings.CMM_DRAFT_SAVE_SECONDS = DRAFT
    return settings


def wait_for(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the page did not get there in time"
        time.sleep(0.2)


def wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def test_the_warning_keeps_the_session_and_a_half_written_form_comes_back(
    open_as, live_server, hanne, short_session
):
    page = open_as(hanne)
    page.goto(f"{live_server.url}/inquiries/new/")
    loaded = time.monotonic()

    # The warning comes with a countdown and takes the focus.
    warning = page.get_by_role("alertdialog", name="Du bliver snart logget ud")
    warning.wait_for(timeout=(IDLE + 5) * 1000)
    expect(warning.get_by_role("timer")).to_have_text(re.compile(r"^0:0[0-8]$"))
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    screenshot(page, "session-warning")

    # Staying logged in keeps the session past the time it would have ended.
    warning.get_by_role("button", name="Bliv logget ind").click()
    expect(warning).to_be_hidden()
    wait_until(loaded + IDLE + 2.5)
    page.reload()
    expect(page).to_have_url(f"{live_server.url}/inquiries/new/")

    # Half a form, then nothing: the page keeps it as a draft and the session ends.
    page.select_option("#id_channel", "hotline")
    page.fill("#id_summary", SUMMARY)
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/inquiries/new/"), timeout=30_000)
    expect(page.get_by_text("Du er logget ud efter")).to_be_visible()
    draft = Draft.objects.get(owner=hanne)
    assert draft.fields["#1"]["summary"] == [SUMMARY]
    assert "csrfmiddlewaretoken" not in str(draft.fields)

    # Logging in again leads back to the page, with the form filled in and a message.
    short_session.CMM_SESSION_IDLE_SECONDS = 600
    log_in(page, hanne)
    expect(page).to_have_url(f"{live_server.url}/inquiries/new/")
    expect(
        page.get_by_text(re.compile(r"Din kladde fra kl\. \d\d:\d\d er gendannet"))
    ).to_be_visible()
    expect(page.locator("#id_summary")).to_have_value(SUMMARY)
    expect(page.locator("#id_channel")).to_have_value("hotline")
    screenshot(page, "session-draft-restored")
    assert not Draft.objects.exists()

    # It can be thrown away: the form is as the page first showed it.
    page.get_by_role("button", name="Kassér kladden").click()
    expect(page.locator("#id_summary")).to_have_value("")
    notice = page.get_by_role("status").filter(has_text="Kladden er kasseret")
    expect(notice).to_be_focused()


def test_work_in_another_tab_postpones_and_closes_the_warning(
    open_as, live_server, hanne, short_session
):
    busy = open_as(hanne)
    idle = busy.context.new_page()
    idle.goto(f"{live_server.url}/inquiries/new/")
    loaded = time.monotonic()
    warning = idle.get_by_role("alertdialog")

    wait_until(loaded + 4)
    busy.goto(f"{live_server.url}/inquiries/")
    idle.fill("#id_summary", SUMMARY)  # typing is not activity the server sees
    # By its own clock the idle tab would warn now; the server says the session goes on.
    wait_until(loaded + IDLE - WARNING + 3)
    assert not warning.is_visible()

    # Left alone, the idle tab warns and keeps its half-written form as a draft...
    warning.wait_for(timeout=(IDLE + 5) * 1000)
    wait_for(lambda: Draft.objects.filter(owner=hanne).exists())

    # ...until work in the other tab keeps the session: the warning closes and the draft
    # goes, so it cannot come back later over what is saved by then.
    busy.reload()
    expect(warning).to_be_hidden(timeout=8000)
    wait_for(lambda: not Draft.objects.exists())
    expect(idle.locator("#id_summary")).to_have_value(SUMMARY)


def test_the_warning_is_accessible_and_escape_stays_logged_in(
    open_as, live_server, hanne, short_session
):
    short_session.CMM_SESSION_IDLE_SECONDS = 30
    short_session.CMM_SESSION_WARNING_SECONDS = 28
    page = open_as(hanne)
    page.goto(f"{live_server.url}/inquiries/new/")
    warning = page.get_by_role("alertdialog", name="Du bliver snart logget ud")
    warning.wait_for(timeout=15_000)
    assert violations(page) == []

    time.sleep(3)
    before = page.request.get(f"{live_server.url}/session/status/").json()["seconds_left"]
    page.keyboard.press("Escape")
    expect(warning).to_be_hidden()
    after = page.request.get(f"{live_server.url}/session/status/").json()["seconds_left"]
    assert before <= 27 and after >= 29
