"""A supervisor works through the queues and reassigns in bulk, in a real browser."""

import pytest

from cases.models import Case
from tests.e2e.conftest import screenshot
from tests.factories import case_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_supervisor_goes_through_the_queues_and_reassigns_in_bulk(
    open_as, hanne, tove, karin, kasper
):
    cases = [
        case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
        for _ in range(2)
    ]

    page = open_as(tove)
    page.get_by_role("link", name="Køer").click()
    for link in page.locator(".cmm-queue-nav a").all():
        link.click()
        page.locator("h1").wait_for()
    page.locator(".cmm-queue-nav a", has_text="Afventer første samtale").click()
    screenshot(page, "supervisor-queue")
    for case in cases:
        page.check(f"#pick-{case.pk}")
    page.select_option("#bulk-to", str(kasper.pk))
    page.get_by_role("button", name="Omfordel").click()
    page.get_by_text("2 sager er omfordelt").wait_for()
    assert {c.contact_person for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {kasper}
