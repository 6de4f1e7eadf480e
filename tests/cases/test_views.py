import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases import services
from cases.models import CaseState, CaseUserObjectPermission, Note
from cases.selectors import cases_visible_to
from cases.services import inquiry_refer
from cases.views import EVENTS_SHOWN, NOTES_SHOWN
from cmm.audit.models import AuditEvent
from tests.factories import case_in, interview_data, make_inquiry, referred_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def make(hanne, tove, karin):
    def _make(state, **kw):
        return case_in(state, hotline=hanne, supervisor=tove, contact=karin, **kw)

    return _make


def english(client):
    client.cookies.load({"django_language": "en"})
    return client


def test_the_unassigned_queue_lists_urgent_first_then_oldest(login, hanne, tove):
    older = referred_case(hanne)
    newer = referred_case(hanne)
    urgent = referred_case(hanne, urgency="custody")
    response = login(tove).get(reverse("cases:unassigned"))
    assert list(response.context["page"].object_list) == [urgent, older, newer]


def test_the_unassigned_queue_runs_a_fixed_number_of_queries(login, hanne, tove):
    client = login(tove)
    referred_case(hanne)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cases:unassigned")).status_code == 200
    for _ in range(12):
        referred_case(hanne)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("cases:unassigned"))
    assert len(many) == len(few)


def test_a_case_opens_for_the_contact_person_it_is_granted_to_and_no_colleague(
    login, hanne, karin, kasper
):
    case = referred_case(hanne)
    assign_perm("cases.view_case", karin, case)

    assert login(karin).get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert login(kasper).get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert list(cases_visible_to(karin)) == [case]
    assert list(cases_visible_to(kasper)) == []
    # The grant lives in the direct foreign-key table, not guardian's generic one.
    assert CaseUserObjectPermission.objects.filter(user=karin, content_object=case).exists()


def test_a_minor_is_marked_in_the_queue_on_the_case_and_in_my_cases(login, hanne, tove, karin):
    inquiry = make_inquiry(hanne, state="triaged")
    person = inquiry.persons.get()
    person.age = 16
    person.save()
    [case] = inquiry_refer(actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version)
    assert "cmm-tag--minor" in login(tove).get(reverse("cases:unassigned")).content.decode()
    services.case_assign(actor=tove, case_id=case.pk, version=case.version, contact_person=karin)
    client = login(karin)
    assert "cmm-tag--minor" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "cmm-tag--minor" in client.get(reverse("cases:mine")).content.decode()


def test_the_whole_identification_in_the_browser_pages(login, hanne, tove, karin, kasper):
    """A supervisor assigns, the contact person records two interviews, sends the report to
    the Immigration Service and records the decision; a colleague sees nothing."""
    case = referred_case(hanne)
    boss = english(login(tove))
    response = boss.post(
        reverse("cases:assign", args=[case.pk]),
        {"version": case.version, "contact_person": karin.pk},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_INTERVIEW

    me = english(login(karin))
    person_url = reverse("cases:person", args=[case.pk])
    form = me.get(person_url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "aliases"}
    data.update(
        name="Testperson 1",
        residence_status="asylum_seeker",
        estimated_age="",
        aliases_text="T1\nTesta",
        interpreter_needed="unknown",
        version=case.version,
        birth_date="",
    )
    assert me.post(person_url, data).status_code == 302
    case.refresh_from_db()
    assert case.person.aliases == ["T1", "Testa"]

    for hours in (30, 2):
        held = timezone.localtime() - timezone.timedelta(hours=hours)
        response = me.post(
            reverse("cases:interview_new", args=[case.pk]),
            {
                "version": case.version,
                "held_at": held.strftime("%Y-%m-%dT%H:%M"),
                "place": "Asylcenter",
                "interviewers": [karin.pk],
                "interpreter": "Tolk",
                "interpreter_language": "arabisk",
                "indicators": ["debt", "threats_or_violence"],
                "trafficker_ties": "on",
                "recommendation": "trafficked",
                "notes": "",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        case.refresh_from_db()
    assert case.state == CaseState.INTERVIEWING
    assert case.interviews.count() == 2

    send = me.get(reverse("cases:send", args=[case.pk]))
    assert send.context["form"].initial["authority"] == "immigration_service"
    sent_on = timezone.localdate() - timezone.timedelta(days=5)
    me.post(
        reverse("cases:send", args=[case.pk]),
        {
            "version": case.version,
            "authority": "immigration_service",
            "sent_on": sent_on.isoformat(),
        },
    )
    case.refresh_from_db()
    assert case.state == CaseState.REPORT_SENT_TO_IMMIGRATION
    assert "5 days so far" in me.get(reverse("cases:detail", args=[case.pk])).content.decode()

    me.post(
        reverse("cases:assess", args=[case.pk]),
        {
            "version": case.version,
            "outcome": "trafficked",
            "decided_on": timezone.localdate().isoformat(),
            "contact_actor": "asylum_centre",
            "exploitation_form": "sexual",
            "sexual_kind": "prostitution",
        },
    )
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSED_TRAFFICKED
    assert case.assessment.sexual_kind == "prostitution"

    colleague = login(kasper)
    for name in ("detail", "person", "assign", "interview_new", "send", "assess"):
        assert colleague.get(reverse(f"cases:{name}", args=[case.pk])).status_code == 404, name
    for name in ("note_add", "consent_add"):
        assert colleague.post(reverse(f"cases:{name}", args=[case.pk])).status_code == 404, name


def test_assessment_form_refuses_inconsistent_exploitation_details(login, make, karin):
    case = make("report_sent_to_immigration_service")
    client = english(login(karin))
    response = client.post(
        reverse("cases:assess", args=[case.pk]),
        {
            "version": case.version,
            "outcome": "trafficked",
            "decided_on": timezone.localdate().isoformat(),
            "exploitation_form": "criminal",
            "sexual_kind": "prostitution",
        },
    )
    errors = response.context["form"].errors
    assert "Needed when the person is assessed as trafficked." in errors["contact_actor"]
    assert "Give the detail of this form of exploitation." in errors["criminal_kinds"]
    assert "Only for the matching form of exploitation." in errors["sexual_kind"]
    case.refresh_from_db()
    assert case.state == CaseState.REPORT_SENT_TO_IMMIGRATION


def test_sending_to_another_authority_without_a_reason_keeps_the_form(login, make, karin):
    case = make("interviewing", residence="legal_residence")
    client = english(login(karin))
    response = client.post(
        reverse("cases:send", args=[case.pk]),
        {"version": case.version, "authority": "immigration_service", "sent_on": "2026-01-05"},
    )
    assert response.status_code == 200
    assert "Give a reason to choose another" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.INTERVIEWING


def test_the_phone_number_shows_only_with_consent(login, make, karin):
    case = make("awaiting_interview")
    services.person_update(
        actor=karin, case_id=case.pk, version=case.version, data={"phone": "+45 12 34 56 78"}
    )
    client = english(login(karin))
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "+45 12 34 56 78" not in page
    assert "No consent to contact by telephone is recorded." in page
    client.post(
        reverse("cases:consent_add", args=[case.pk]),
        {"kind": "telephone_contact", "given": "yes", "given_on": timezone.localdate().isoformat()},
    )
    assert "+45 12 34 56 78" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_notes_are_added_in_the_journal_and_show_on_the_timeline(login, make, karin):
    case = make("awaiting_interview")
    client = login(karin)
    client.post(reverse("cases:note_add", args=[case.pk]), {"text": "Ringede til asylcentret"})
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert "Ringede til asylcentret" in response.content.decode()
    timeline_url = reverse("cases:timeline", args=[case.pk])
    assert timeline_url in response.content.decode()
    timeline = client.get(timeline_url).context["timeline"]
    assert any(e.object_ref.startswith(f"{case.reference}/N") for e in timeline)


def test_a_long_journal_and_timeline_show_the_latest_and_the_whole_on_request(login, make, karin):
    case = make("awaiting_interview")
    Note.objects.bulk_create(
        Note(case=case, text=f"Notat nummer {i}", author=karin) for i in range(1, NOTES_SHOWN + 2)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=karin, action="update", object_ref=case.reference, reason=f"r{i}")
        for i in range(EVENTS_SHOWN + 1)
    )
    client = login(karin)
    url = reverse("cases:detail", args=[case.pk])
    page = client.get(url)
    text = page.content.decode()
    assert f"Notat nummer {NOTES_SHOWN + 1}<" in text
    assert "Notat nummer 1<" not in text
    assert "?history=all" in text
    whole = client.get(url + "?history=all")
    assert "Notat nummer 1<" in whole.content.decode()
    timeline_url = reverse("cases:timeline", args=[case.pk])
    timeline = client.get(timeline_url)
    assert len(timeline.context["timeline"]) == EVENTS_SHOWN
    assert "?history=all" in timeline.content.decode()
    assert len(client.get(timeline_url + "?history=all").context["timeline"]) > EVENTS_SHOWN + 1


def test_the_timeline_page_is_the_case_pages_and_its_view_is_audited(login, make, karin, kasper):
    case = make("awaiting_interview")
    url = reverse("cases:timeline", args=[case.pk])
    assert login(kasper).get(url).status_code == 404
    page = login(karin).get(url)
    assert page.status_code == 200
    assert case.reference in page.content.decode()
    assert AuditEvent.objects.filter(action="view", actor=karin, object_ref=case.reference).exists()


def test_the_supervisor_sees_possible_duplicates_and_links(login, make, hanne, tove):
    known = make("assessed_trafficked").person
    case = referred_case(hanne)  # the same synthetic name: "Testperson 1"
    page = login(tove).get(reverse("cases:detail", args=[case.pk]))
    assert [d.person for d in page.context["duplicates"]] == [known]
    login(tove).post(
        reverse("cases:link_person", args=[case.pk]) + f"?person={known.pk}",
        {"version": case.version, "person": known.pk},
    )
    case.refresh_from_db()
    assert case.person == known
    # The recurring person's courses point to each other.
    earlier = known.cases.exclude(pk=case.pk).get()
    page = login(tove).get(reverse("cases:detail", args=[case.pk]))
    assert list(page.context["other_courses"]) == [earlier]


def test_my_cases_shows_state_and_next_step_with_fixed_queries(login, make, karin):
    make("awaiting_interview")
    client = english(login(karin))
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("cases:mine"))
    assert "Hold the first identification interview" in response.content.decode()
    for state in ("interviewing", "report_sent_to_immigration_service", "awaiting_interview") * 3:
        make(state)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cases:mine"))
    assert len(response.context["page"].object_list) == 10
    assert len(many) == len(few)


def test_the_case_page_runs_a_fixed_number_of_queries_whatever_its_history(login, make, karin):
    case = make("interviewing")
    client = login(karin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:detail", args=[case.pk]))
    for i in range(8):
        case.refresh_from_db()
        services.interview_record(
            actor=karin,
            case_id=case.pk,
            version=case.version,
            data=interview_data(),
            interviewers=[karin],
        )
        services.note_add(actor=karin, case_id=case.pk, text=f"Notat {i}")
        services.consent_record(
            actor=karin,
            case_id=case.pk,
            kind="telephone_contact",
            given=True,
            given_on=timezone.localdate(),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("cases:detail", args=[case.pk]))
    assert len(many) == len(few)
    assert AuditEvent.objects.for_object(case).filter(action="view").count() == 2


def test_a_note_is_corrected_by_a_new_note_that_names_it(login, make, karin):
    case = make("awaiting_interview")
    original = services.note_add(actor=karin, case_id=case.pk, text="Forkert dato")
    login(karin).post(
        reverse("cases:note_add", args=[case.pk]), {"text": "Rigtig dato", "corrects": original.pk}
    )
    correction = case.notes.latest("id")
    assert (correction.text, correction.corrects) == ("Rigtig dato", original)
    original.refresh_from_db()
    assert original.text == "Forkert dato"
