"""The hotline form by keyboard alone: focus order, submitting, and focus on the error."""

from itertools import pairwise

import pytest

from referrals.models import Inquiry

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = [
    "id_channel",
    "id_caller_type",
    "id_caller_organisation",
    "id_caller_contact",
    "id_subject",
    "id_urgency",
    "id_urgent_on",
    "id_summary",
    "id_persons-0-alias",
]


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_the_hotline_form_works_by_keyboard_alone(open_as, live_server, hanne):
    page = open_as(hanne)
    page.goto(f"{live_server.url}/inquiries/new/")
    # Typing starts at the channel (the time received is filled in).
    assert focused(page) == "id_channel"
    for current, following in pairwise(ORDER):
        assert focused(page) == current
        for _ in range(4):  # a date input may take a Tab per part of the date
            page.keyboard.press("Tab")
            if focused(page) != current:
                break
        assert focused(page) == following

    # Submit with the summary missing: nothing is lost and the focus lands on the error.
    page.focus("#id_channel")
    page.keyboard.press("ArrowDown")
    page.focus("#id_persons-0-alias")
    page.keyboard.type("Kun tastatur")
    # Wait for the answer page itself: the old page is already loaded, so waiting for a
    # load state alone could return before the form is even sent.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert not Inquiry.objects.exists()
    assert page.input_value("#id_persons-0-alias") == "Kun tastatur"
    assert focused(page) == "id_caller_type"  # the first field in error
    assert page.get_attribute("#id_caller_type", "aria-invalid") == "true"
