"""The whole course in a real browser, each step by its own role in its own session: the
hotline registers and refers, the supervisor assigns and watches the queues, the contact
person identifies, supports and prepares the return, the supervisor approves the extension,
and the statistics role sees the figures move and downloads them."""

from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case, CaseState, Extension
from repatriation.models import ReturnState
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def queue_rows(page, url: str, slug: str, reference: str) -> tuple[int, int]:
    """The queue's count in the queue menu, and how many of its rows name `reference`."""
    page.goto(f"{url}/cases/queues/{slug}/")
    page.locator("h1").wait_for()
    count = page.locator(f".cmm-queue-nav a[href$='/queues/{slug}/'] .cmm-count").inner_text()
    return int(count), page.locator("main table tbody tr", has_text=reference).count()


def summary_figure(page, code: str) -> int:
    """A figure of the statistics page's summary table, as the page shows it."""
    section = page.locator("section.cmm-stat-table:has(a[href$='/download/csv-summary/'])")
    row = section.locator("tbody tr").filter(has=page.locator(f"code:text-is('{code}')"))
    return int(row.locator("td").first.inner_text()) if row.count() else 0


def test_the_whole_course_from_the_call_to_the_statistics(
    open_as, live_server, hanne, tove, karin, stig
):
    url = live_server.url
    today = timezone.localdate().isoformat()
    year = timezone.localdate().year

    # The statistics role looks first: nothing assessed this year.
    statistician = open_as(stig)
    statistician.get_by_role("heading", name=f"Statistik {year}").wait_for()
    assert summary_figure(statistician, "assessed") == 0

    # The supervisor's unassigned queue is empty.
    boss = open_as(tove)
    boss.get_by_role("heading", name="Afventer kontaktperson").wait_for()
    assert (
        boss.locator(".cmm-nav a", has_text="Ikke fordelt").locator(".cmm-count").inner_text()
        == "0"
    )

    # Hotline: the call is registered, triaged and the person referred.
    hotline = open_as(hanne)
    hotline.get_by_role("link", name="Registrér en henvendelse").click()
    # The call came in three hours ago, before the interviews below.
    received = timezone.localtime() - timezone.timedelta(hours=3)
    hotline.fill("#id_received_at", received.strftime("%Y-%m-%dT%H:%M"))
    hotline.select_option("#id_channel", "hotline")
    hotline.select_option("#id_caller_type", "ngo")
    hotline.select_option("#id_subject", "possible_victim")
    hotline.fill("#id_summary", "Organisation ringer om en kvinde på et rengøringshold.")
    hotline.fill("#id_persons-0-alias", "Mira Vossberg")
    hotline.select_option("#id_persons-0-nationality", "RO")
    hotline.get_by_role("button", name="Registrér", exact=True).click()
    hotline.get_by_text("er registreret").wait_for()
    hotline.get_by_role("link", name="Visitér").click()
    hotline.fill("#id_note", "Henvises til udredning")
    hotline.get_by_role("button", name="Bekræft").click()
    hotline.get_by_role("link", name="Henvis til udredning").click()
    hotline.get_by_role("button", name="Bekræft").click()
    hotline.get_by_text("Henvist til udredning").first.wait_for()
    case = Case.objects.get()
    ref = case.reference

    # Supervisor: the person appears in the unassigned queue; a contact person is assigned.
    boss.reload()
    assert (
        boss.locator(".cmm-nav a", has_text="Ikke fordelt").locator(".cmm-count").inner_text()
        == "1"
    )
    assert queue_rows(boss, url, "unassigned", ref) == (1, 1)
    boss.get_by_role("link", name=ref).click()
    boss.get_by_role("link", name="Tildel en kontaktperson").click()
    boss.select_option("#id_contact_person", str(karin.pk))
    boss.get_by_role("button", name="Gem").click()
    boss.get_by_text("Kontaktpersonen er tildelt").wait_for()
    assert queue_rows(boss, url, "unassigned", ref) == (0, 0)
    assert queue_rows(boss, url, "awaiting-interview", ref) == (1, 1)

    # Contact person: details, two interviews, the report to CMM's own assessment.
    me = open_as(karin)
    me.get_by_role("heading", name="Mine sager").wait_for()
    me.get_by_role("link", name=ref).click()
    me.get_by_role("link", name="Ret personens oplysninger").click()
    me.fill("#id_name", "Mira Vossberg")
    me.select_option("#id_gender", "woman")
    me.fill("#id_birth_date", "1994-03-14")
    me.select_option("#id_residence_status", "legal_residence")
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Personens oplysninger er gemt").wait_for()
    for minutes, place in ((90, "Krisecenter"), (10, "CMM")):
        me.get_by_role("link", name="Registrér en samtale").click()
        held = timezone.localtime() - timezone.timedelta(minutes=minutes)
        me.fill("#id_held_at", held.strftime("%Y-%m-%dT%H:%M"))
        me.fill("#id_place", place)
        me.check("text=Gæld")
        me.select_option("#id_recommendation", "trafficked")
        me.get_by_role("button", name="Gem").click()
        me.get_by_text("Samtalen er registreret").wait_for()
    assert queue_rows(boss, url, "awaiting-interview", ref) == (0, 0)

    me.get_by_role("link", name="Send til vurdering").click()
    assert me.input_value("#id_authority") == "cmm"
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Sagen er sendt til vurdering").wait_for()
    assert queue_rows(boss, url, "awaiting-cmm", ref) == (1, 1)

    me.get_by_role("link", name="Registrér vurderingen").click()
    me.select_option("#id_outcome", "trafficked")
    me.fill("#id_decided_on", today)
    me.select_option("#id_contact_actor", "ngo")
    me.select_option("#id_exploitation_form", "forced_labour")
    me.select_option("#id_forced_labour_industry", "cleaning")
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Vurderingen er registreret").wait_for()
    assert queue_rows(boss, url, "awaiting-cmm", ref) == (0, 0)

    # The statistics move with the decision.
    statistician.reload()
    assert summary_figure(statistician, "assessed") == 1

    # Support: the offer accepted, the reflection period and an extension CMM grants.
    me.get_by_role("link", name="Svar på tilbud om støtte").click()
    me.check("#id_accepted_0")
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Svaret på tilbuddet er registreret").wait_for()
    me.get_by_role("link", name="Start refleksionsperioden").click()
    assert me.input_value("#id_granted_by") == "cmm"
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Refleksionsperioden er registreret").wait_for()
    me.get_by_role("link", name="Forlæng refleksionsperioden").click()
    me.fill("#id_days", "30")
    me.select_option("#id_reason", "prepared_return")
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Forlængelsen er registreret").wait_for()
    # Only a supervisor approves: the contact person has no button for it.
    assert me.get_by_role("button", name="Godkend").count() == 0

    boss.goto(f"{url}/cases/{case.pk}/")
    boss.get_by_role("button", name="Godkend").click()
    boss.get_by_text("Forlængelsen er godkendt").wait_for()
    extension = Extension.objects.get()
    assert (extension.status, extension.decided_by) == (Extension.Status.APPROVED, tove)
    assert extension.period.total_days == 60

    # Housing, the consents and the police report.
    me.reload()
    me.get_by_role("link", name="Registrér en indkvartering").click()
    me.select_option("#id_housing_type", "crisis_centre")
    me.fill("#id_place", "Krisecenter Øst")
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Indkvarteringen er registreret").wait_for()
    # The person consents to a report in her name and to sharing with partners.
    for kind in ("named_police_report", "share_with_partners"):
        me.select_option("#id_kind", kind)
        me.select_option("#id_given", "yes")
        me.get_by_role("button", name="Registrér samtykke").click()
        me.get_by_text("Samtykket er registreret").wait_for()
    me.get_by_role("link", name="Politianmeldelse").click()
    me.check("#id_filed_0")
    me.select_option("#id_filed_by", "person_assisted")
    me.check("#id_provisions_0")
    me.select_option("#id_police_district", index=1)
    me.fill("#id_filed_on", today)
    me.get_by_role("button", name="Gem").click()
    me.get_by_text("Politianmeldelsen er registreret").wait_for()
    screenshot(me, "course-case-in-support")

    # The prepared return, step by step, each step confirmed.
    me.get_by_role("button", name="Opret en forberedt hjemsendelse").click()
    me.get_by_text("Den forberedte hjemsendelse er oprettet").wait_for()
    return_url = me.url

    def record(fields: dict[str, str]) -> None:
        me.get_by_role("link", name="Registrér oplysninger").click()
        for selector, value in fields.items():
            if me.locator(selector).evaluate("e => e.tagName") == "SELECT":
                me.select_option(selector, value)
            else:
                me.fill(selector, value)
        me.get_by_role("button", name="Gem").click()
        me.get_by_text("Den forberedte hjemsendelse er gemt").wait_for()

    def next_step(name: str = "Næste trin") -> None:
        me.get_by_role("link", name=name).click()
        me.get_by_role("button", name="Bekræft").click()
        me.get_by_text("Gemt.").wait_for()

    # The next step waits for its facts.
    assert me.get_by_role("link", name="Næste trin").count() == 0
    record({"#id_offer_accepted_on": today, "#id_application_sent_on": today})
    next_step()
    record({"#id_risk_level": "medium"})
    next_step()
    record(
        {"#id_plan_written_on": today, "#id_plan_approved_on": today, "#id_plan_budget": "30000"}
    )
    # The approved plan's budget falls due now: the return shows in the payments queue.
    assert queue_rows(boss, url, "payments-due", ref) == (1, 1)
    next_step()
    record({"#id_partner_name": "Asociația Sprijin", "#id_partner_country": "RO"})
    next_step()
    record(
        {"#id_application_approved_on": today, "#id_departure_on": today, "#id_destination": "RO"}
    )
    next_step("Personen er udrejst")

    def pay(kind: str, amount: str) -> None:
        me.get_by_role("link", name="Registrér en udbetaling").click()
        me.select_option("#id_kind", kind)
        me.fill("#id_amount", amount)
        me.get_by_role("button", name="Bekræft").click()

    pay("in_kind", "30000")
    me.get_by_text("Udbetalingen er registreret").wait_for()
    # Past the cap of 40,000 kr. in kind: refused, saying by how much, nothing recorded.
    pay("in_kind", "15000")
    me.locator(".alert-error").wait_for()
    assert "5000" in me.locator(".alert-error").inner_text().replace(".", "")
    me.goto(return_url)
    # The first cash instalment is due on the day of return.
    assert queue_rows(boss, url, "payments-due", ref) == (1, 1)
    pay("cash", "1666")
    me.get_by_text("Udbetalingen er registreret").wait_for()
    assert queue_rows(boss, url, "payments-due", ref) == (0, 0)
    screenshot(me, "course-return-follow-up")
    prepared = case.prepared_return
    prepared.refresh_from_db()
    assert prepared.state == ReturnState.FOLLOW_UP
    assert sorted(prepared.payments.values_list("kind", "amount")) == [
        ("cash", 1666),
        ("in_kind", 30000),
    ]
    case.refresh_from_db()
    assert case.state == CaseState.ENDED

    # Statistics: the page and the downloaded workbook show the year's figures.
    statistician.reload()
    assert summary_figure(statistician, "assessed") == 1
    assert summary_figure(statistician, "prepared_returns") == 1
    assert summary_figure(statistician, "police_reports_filed") == 1
    with statistician.expect_download() as download:
        statistician.get_by_role("link", name="Hent (Excel)").click()
    assert download.value.suggested_filename == f"statistics-{year}.xlsx"
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(BytesIO(handle.read()))["summary"]
    figures = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert figures["assessed"] == 1
    assert figures["prepared_returns"] == 1
    assert figures["police_reports_filed"] == 1
