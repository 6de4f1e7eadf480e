import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cmm.audit.models import AuditEvent
from referrals.models import Inquiry, InquiryState
from tests.factories import make_inquiry

pytestmark = pytest.mark.django_db


def form_payload(**overrides):
    """What the hotline form posts for one call about one person."""
    data = {
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "hotline",
        "caller_type": "police",
        "caller_organisation": "Københavns Politi",
        "caller_contact": "",
        "subject": "possible_victim",
        "urgency": "custody",
        "urgent_on": "",
        "summary": "Kvinde anholdt ved razzia; taler om gæld.",
        "persons-TOTAL_FORMS": "1",
        "persons-INITIAL_FORMS": "0",
        "persons-MIN_NUM_FORMS": "0",
        "persons-MAX_NUM_FORMS": "1000",
        "persons-0-alias": "Æsa Ørsted",
        "persons-0-gender": "woman",
        "persons-0-age": "19",
        "persons-0-age_is_estimate": "on",
        "persons-0-nationality": "NG",
        "persons-0-language": "engelsk",
        "persons-0-interpreter_needed": "true",
        "persons-0-whereabouts": "Arresten",
        "persons-0-suspected_exploitation": "sexual",
    }
    data.update(overrides)
    return data


def test_hotline_registers_a_call_with_a_person(login, hanne):
    response = login(hanne).post(reverse("referrals:create"), form_payload())

    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[inquiry.pk])
    assert inquiry.urgency == "custody"
    assert inquiry.created_by == hanne
    person = inquiry.persons.get()
    assert (person.alias, person.age, person.age_is_estimate, person.interpreter_needed) == (
        "Æsa Ørsted",
        19,
        True,
        True,
    )


def test_the_form_opens_with_the_current_time_filled_in(login, hanne):
    response = login(hanne).get(reverse("referrals:create"))
    assert response.status_code == 200
    assert timezone.localtime().strftime("%Y-%m-%dT") in response.content.decode()


BAD_INPUT = [
    ("received_at", "i går", "Enter a valid date/time."),
    ("received_at", "2999-01-01T10:00", "cannot be in the future"),
    ("channel", "pigeon", "Select a valid choice"),
    ("channel", "", "This field is required"),
    ("caller_type", "martian", "Select a valid choice"),
    ("caller_organisation", "x" * 201, "at most 200 characters"),
    ("caller_contact", "x" * 201, "at most 200 characters"),
    ("subject", "", "This field is required"),
    ("urgency", "panic", "Select a valid choice"),
    ("urgent_on", "32-13-2026", "Enter a valid date"),
    ("summary", "", "This field is required"),
    ("persons-0-alias", "", "This field is required"),
    ("persons-0-gender", "x", "Select a valid choice"),
    ("persons-0-age", "-1", "greater than or equal to 0"),
    ("persons-0-age", "121", "between 0 and 120"),
    ("persons-0-age", "tyve", "Enter a whole number"),
    ("persons-0-nationality", "ZZ", "Select a valid choice"),
    ("persons-0-language", "x" * 101, "at most 100 characters"),
    ("persons-0-whereabouts", "x" * 201, "at most 200 characters"),
    ("persons-0-suspected_exploitation", "magic", "Select a valid choice"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_bad_input_is_refused_and_nothing_typed_is_lost(login, hanne, field, value, message):
    client = login(hanne)
    client.cookies.load({"django_language": "en"})
    payload = form_payload(**{field: value})

    response = client.post(reverse("referrals:create"), payload)

    assert response.status_code == 200
    assert not Inquiry.objects.exists()
    html = response.content.decode()
    assert message in html
    # Everything else the user typed is still in the form.
    assert "Kvinde anholdt ved razzia; taler om gæld." in html or field == "summary"
    assert "Æsa Ørsted" in html or field == "persons-0-alias"
    assert "Københavns Politi" in html or field == "caller_organisation"


def test_a_police_action_needs_its_date_and_only_it_has_one(login, hanne):
    client = login(hanne)
    client.cookies.load({"django_language": "en"})
    response = client.post(reverse("referrals:create"), form_payload(urgency="police_action"))
    assert "Give the date of the planned police action." in response.content.decode()
    response = client.post(
        reverse("referrals:create"), form_payload(urgency="none", urgent_on="2026-12-01")
    )
    assert "Leave the date empty unless" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_add_person_keeps_everything_and_adds_an_empty_row(login, hanne):
    response = login(hanne).post(reverse("referrals:create"), form_payload(add_person="1"))
    html = response.content.decode()
    assert not Inquiry.objects.exists()
    assert 'name="persons-1-alias"' in html
    assert "Æsa Ørsted" in html
    assert "form-error-message" not in html


def test_the_list_shows_open_inquiries_urgent_first(login, hanne):
    calm = make_inquiry(hanne)
    urgent = make_inquiry(hanne, urgency="custody")
    closed = make_inquiry(hanne, state="closed")

    response = login(hanne).get(reverse("referrals:list"))

    listed = list(response.context["page"].object_list)
    assert listed == [urgent, calm]
    assert closed not in listed


def test_the_list_runs_a_fixed_number_of_queries_whatever_the_rows(login, hanne):
    client = login(hanne)
    make_inquiry(hanne, persons=2)
    for show in ("open", "today", "all"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse("referrals:list"), {"show": show}).status_code == 200
        for _ in range(15):
            make_inquiry(hanne, persons=2)
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("referrals:list"), {"show": show})
        assert len(many) == len(few), show


def test_detail_shows_history_and_only_the_possible_steps(login, hanne):
    inquiry = make_inquiry(hanne)
    response = login(hanne).get(reverse("referrals:detail", args=[inquiry.pk]))
    assert response.context["steps"] == ["triage"]
    assert [e.action for e in response.context["history"]] == ["create", "create"]


def test_viewing_an_inquiry_is_audited(login, hanne, tove):
    inquiry = make_inquiry(hanne)
    login(tove).get(reverse("referrals:detail", args=[inquiry.pk]))
    assert AuditEvent.objects.for_object(inquiry).filter(action="view", actor=tove).count() == 1


def test_hotline_triages_refers_and_supervisor_sees_the_person_waiting(login, hanne, tove):
    inquiry = make_inquiry(hanne)
    client = login(hanne)
    url = reverse("referrals:transition", args=[inquiry.pk, "triage"])
    assert client.get(url).status_code == 200
    client.post(url, {"version": inquiry.version, "note": "Politiet venter"})
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.TRIAGED

    client.post(
        reverse("referrals:transition", args=[inquiry.pk, "refer"]), {"version": inquiry.version}
    )
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.REFERRED

    queue = login(tove).get(reverse("cases:unassigned"))
    assert "Testperson 1" in queue.content.decode()
    assert queue.context["nav"]["unassigned_cases"] == 1


def test_closing_needs_a_reason_and_a_note_for_other(login, hanne):
    inquiry = make_inquiry(hanne, state="triaged")
    client = login(hanne)
    client.cookies.load({"django_language": "en"})
    url = reverse("referrals:transition", args=[inquiry.pk, "close"])

    response = client.post(url, {"version": inquiry.version, "reason": ""})
    assert "This field is required" in response.content.decode()
    response = client.post(url, {"version": inquiry.version, "reason": "other", "note": " "})
    assert "Say why" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.TRIAGED

    client.post(url, {"version": inquiry.version, "reason": "no_indicators"})
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.CLOSED


def test_a_step_not_possible_now_is_explained_not_an_error(login, hanne):
    inquiry = make_inquiry(hanne)
    client = login(hanne)
    client.cookies.load({"django_language": "en"})
    response = client.post(
        reverse("referrals:transition", args=[inquiry.pk, "refer"]),
        {"version": inquiry.version},
        follow=True,
    )
    assert response.status_code == 200
    assert "not possible in the current state" in response.content.decode()


def test_a_stale_page_gets_a_conflict_message_not_a_silent_overwrite(login, hanne, tove):
    inquiry = make_inquiry(hanne, state="triaged")
    stale = inquiry.version
    login(tove).post(
        reverse("referrals:transition", args=[inquiry.pk, "close"]),
        {"version": stale, "reason": "duplicate"},
    )
    client = login(hanne)
    client.cookies.load({"django_language": "en"})
    response = client.post(
        reverse("referrals:transition", args=[inquiry.pk, "refer"]), {"version": stale}, follow=True
    )
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.CLOSED
    assert "not possible in the current state" in response.content.decode()


def test_editing_with_a_stale_version_keeps_the_users_input(login, hanne, tove):
    inquiry = make_inquiry(hanne)
    person = inquiry.persons.get()
    edit = reverse("referrals:edit", args=[inquiry.pk])
    payload = form_payload(
        version=str(inquiry.version),
        summary="Hannes rettelse",
        **{
            "persons-INITIAL_FORMS": "1",
            "persons-0-id": str(person.pk),
            "persons-0-inquiry": str(inquiry.pk),
        },
    )
    login(tove).post(edit, {**payload, "summary": "Toves rettelse"})

    client = login(hanne)
    client.cookies.load({"django_language": "en"})
    response = client.post(edit, payload)

    assert response.status_code == 200
    assert "Someone else changed this inquiry" in response.content.decode()
    assert "Hannes rettelse" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.summary == "Toves rettelse"


def test_a_triaged_inquiry_offers_referral_first_then_link_and_close(login, hanne):
    inquiry = make_inquiry(hanne, state="triaged")
    response = login(hanne).get(reverse("referrals:detail", args=[inquiry.pk]))
    assert response.context["steps"] == ["refer", "link", "close"]


def test_adding_a_person_before_filling_the_call_flags_nothing_yet(login, hanne):
    payload = form_payload(add_person="1", channel="", summary="")
    html = login(hanne).post(reverse("referrals:create"), payload).content.decode()
    assert 'name="persons-1-alias"' in html
    assert "form-error-message" not in html


def test_a_tampered_row_count_is_not_a_server_error(login, hanne):
    payload = form_payload(add_person="1", **{"persons-TOTAL_FORMS": "many"})
    assert login(hanne).post(reverse("referrals:create"), payload).status_code == 200
