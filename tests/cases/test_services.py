from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from cases import services
from cases.models import Case, CaseState, Note
from cases.selectors import cases_visible_to, has_consent
from cmm.audit.models import AuditEvent
from cmm.core.exceptions import Refused
from tests.factories import assessment_data, case_in, interview_data, referred_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def make(hanne, tove, karin):
    def _make(state, **kw):
        return case_in(state, hotline=hanne, supervisor=tove, contact=karin, **kw)

    return _make


def transitions(case):
    return list(
        AuditEvent.objects.for_object(case).filter(action="transition").order_by("at", "id")
    )


# Assignment ---------------------------------------------------------------------------


def test_assigning_grants_the_case_and_moves_it_to_awaiting_interview(make, tove, karin, kasper):
    case = make("awaiting_assignment")
    services.case_assign(
        actor=tove, case_id=case.pk, version=case.version, contact_person=karin, deputy=kasper
    )
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_INTERVIEW
    assert (case.contact_person, case.deputy) == (karin, kasper)
    assert karin.has_perm("cases.work_on_case", case)
    assert kasper.has_perm("cases.view_case", Case.objects.get(pk=case.pk))
    [event] = transitions(case)
    assert event.actor == tove
    assert event.changes == {"contact_person": [None, karin.pk], "deputy": [None, kasper.pk]}


def test_reassigning_revokes_at_once_and_is_audited(make, login, tove, karin, kasper):
    case = make("awaiting_interview")
    services.case_assign(actor=tove, case_id=case.pk, version=case.version, contact_person=kasper)

    assert login(karin).get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert list(cases_visible_to(karin)) == []
    assert login(kasper).get(reverse("cases:detail", args=[case.pk])).status_code == 200
    update = AuditEvent.objects.for_object(case).get(
        action="update", changes__has_key="contact_person"
    )
    assert update.changes["contact_person"] == [karin.pk, kasper.pk]


def test_only_a_supervisor_assigns(make, karin, hanne):
    case = make("awaiting_assignment")
    for actor in (karin, hanne):
        with pytest.raises(PermissionDenied):
            services.case_assign(
                actor=actor, case_id=case.pk, version=case.version, contact_person=karin
            )


def test_only_contact_persons_can_be_assigned(make, tove, hanne, karin):
    case = make("awaiting_assignment")
    with pytest.raises(Refused):
        services.case_assign(
            actor=tove, case_id=case.pk, version=case.version, contact_person=hanne
        )
    with pytest.raises(Refused):
        services.case_assign(
            actor=tove, case_id=case.pk, version=case.version, contact_person=karin, deputy=karin
        )
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_ASSIGNMENT


# Interviews ---------------------------------------------------------------------------


def test_the_first_interview_starts_identification_the_second_does_not_move_it(make, karin):
    case = make("awaiting_interview")
    services.interview_record(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        data=interview_data(),
        interviewers=[karin],
    )
    case.refresh_from_db()
    assert case.state == CaseState.INTERVIEWING
    services.interview_record(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        data=interview_data(),
        interviewers=[karin],
    )
    case.refresh_from_db()
    assert case.state == CaseState.INTERVIEWING
    assert case.interviews.count() == 2
    assert [t.to_state for t in transitions(case)] == ["awaiting_interview", "interviewing"]


def test_no_interview_before_a_contact_person_is_assigned(make, tove, karin):
    case = make("awaiting_assignment")
    with pytest.raises(PermissionDenied):
        services.interview_record(
            actor=karin,
            case_id=case.pk,
            version=case.version,
            data=interview_data(),
            interviewers=[karin],
        )


def test_a_colleague_cannot_record_an_interview(make, kasper):
    case = make("awaiting_interview")
    with pytest.raises(PermissionDenied):
        services.interview_record(
            actor=kasper,
            case_id=case.pk,
            version=case.version,
            data=interview_data(),
            interviewers=[kasper],
        )


def test_an_interview_in_the_future_is_refused(make, karin):
    case = make("awaiting_interview")
    with pytest.raises(Refused):
        services.interview_record(
            actor=karin,
            case_id=case.pk,
            version=case.version,
            data=interview_data(held_at=timezone.now() + timedelta(hours=1)),
            interviewers=[karin],
        )


# Sending for assessment: the authority follows the residence status -----------------


@pytest.mark.parametrize(
    ("residence", "authority", "state"),
    [
        ("legal_residence", "cmm", "awaiting_cmm_assessment"),
        ("asylum_seeker", "immigration_service", "report_sent_to_immigration_service"),
        ("no_legal_residence", "immigration_service", "report_sent_to_immigration_service"),
    ],
)
def test_the_authority_follows_the_residence_status(make, karin, residence, authority, state):
    case = make("interviewing", residence=residence)
    sent = timezone.localdate() - timedelta(days=3)
    services.case_send_for_assessment(
        actor=karin, case_id=case.pk, version=case.version, authority=authority, sent_on=sent
    )
    case.refresh_from_db()
    assert (case.state, case.assessing_authority) == (state, authority)
    assert case.report_sent_on == (None if authority == "cmm" else sent)
    assert case.authority_override_reason == ""


def test_another_authority_needs_a_reason_and_the_reason_is_recorded(make, karin):
    case = make("interviewing", residence="no_legal_residence")
    with translation.override("en"), pytest.raises(Refused, match="Give a reason"):
        services.case_send_for_assessment(
            actor=karin,
            case_id=case.pk,
            version=case.version,
            authority="court",
            sent_on=timezone.localdate(),
        )
    services.case_send_for_assessment(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        authority="court",
        override_reason="Sigtet i straffesag",
        sent_on=timezone.localdate(),
    )
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_IN_COURT
    assert case.authority_override_reason == "Sigtet i straffesag"
    assert transitions(case)[-1].reason == "Sigtet i straffesag"


def test_sending_needs_the_residence_status_and_the_date_sent(make, tove, karin):
    case = make("interviewing", residence="no_legal_residence")
    with pytest.raises(Refused):
        services.case_send_for_assessment(
            actor=karin, case_id=case.pk, version=case.version, authority="immigration_service"
        )
    services.person_update(
        actor=tove, case_id=case.pk, version=case.version, data={"residence_status": ""}
    )
    case.refresh_from_db()
    with pytest.raises(Refused):
        services.case_send_for_assessment(
            actor=karin, case_id=case.pk, version=case.version, authority="cmm"
        )


def test_no_sending_without_an_interview(make, karin):
    case = make("awaiting_interview", residence="legal_residence")
    with pytest.raises(Refused):
        services.case_send_for_assessment(
            actor=karin, case_id=case.pk, version=case.version, authority="cmm"
        )


def test_a_colleague_cannot_send(make, kasper):
    case = make("interviewing", residence="legal_residence")
    with pytest.raises(PermissionDenied):
        services.case_send_for_assessment(
            actor=kasper, case_id=case.pk, version=case.version, authority="cmm"
        )


# Assessment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "state"),
    [("trafficked", "assessed_trafficked"), ("not_trafficked", "assessed_not_trafficked")],
)
def test_recording_the_decision_of_the_immigration_service(make, karin, outcome, state):
    case = make("report_sent_to_immigration_service")
    assessment = services.case_record_assessment(
        actor=karin, case_id=case.pk, version=case.version, data=assessment_data(outcome=outcome)
    )
    case.refresh_from_db()
    assert case.state == state
    assert assessment.authority == "immigration_service"
    assert assessment.decision_received_on == timezone.localdate()
    assert case.waiting_days(assessment.decision_received_on) == 10
    assert AuditEvent.objects.for_object(assessment).filter(action="create").exists()


def test_cmm_records_its_own_assessment(make, karin):
    case = make("awaiting_cmm_assessment", residence="legal_residence")
    assessment = services.case_record_assessment(
        actor=karin, case_id=case.pk, version=case.version, data=assessment_data()
    )
    assert (assessment.authority, assessment.decision_received_on) == ("cmm", None)


def test_a_decision_dated_before_the_report_or_in_the_future_is_refused(make, karin):
    case = make("report_sent_to_immigration_service")
    for day in (case.report_sent_on - timedelta(days=1), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(Refused):
            services.case_record_assessment(
                actor=karin,
                case_id=case.pk,
                version=case.version,
                data=assessment_data(decided_on=day),
            )
    case.refresh_from_db()
    assert case.state == CaseState.REPORT_SENT_TO_IMMIGRATION


def test_no_assessment_from_interviewing_or_by_a_colleague(make, karin, kasper):
    case = make("interviewing")
    with pytest.raises(Refused):
        services.case_record_assessment(
            actor=karin, case_id=case.pk, version=case.version, data=assessment_data()
        )
    sent = make("report_sent_to_immigration_service")
    with pytest.raises(PermissionDenied):
        services.case_record_assessment(
            actor=kasper, case_id=sent.pk, version=sent.version, data=assessment_data()
        )


def test_no_assessment_without_an_interview_even_if_the_state_were_reached(make, karin):
    case = make("report_sent_to_immigration_service")
    # Simulate a case that reached the state without interviews (e.g. bad imported data).
    case.interviews.all().delete()
    with translation.override("en"), pytest.raises(Refused, match="interview"):
        services.case_record_assessment(
            actor=karin, case_id=case.pk, version=case.version, data=assessment_data()
        )


def test_the_state_graph_is_exactly_the_documented_one():
    graph = {}
    for t in Case._meta.get_field("state").get_all_transitions(Case):
        graph.setdefault(t.source, set()).add(t.name)
    assert graph == {
        "awaiting_assignment": {"assign"},
        "awaiting_interview": {"start_identification"},
        "interviewing": {"send_for_assessment"},
        "awaiting_cmm_assessment": {"record_assessment"},
        "report_sent_to_immigration_service": {"record_assessment"},
        "pending_in_court": {"record_assessment"},
        "assessed_trafficked": {"accept_offer", "decline_offer"},
        "in_support": {"end_course", "end_with_prepared_return"},
        "ended": {"reopen"},
    }


# Persons, notes, consents -------------------------------------------------------------


def test_linking_to_a_known_person_merges_the_referral_person(make, hanne, tove):
    known = make("assessed_trafficked").person
    case = referred_case(hanne)
    placeholder = case.person
    services.case_link_person(actor=tove, case_id=case.pk, version=case.version, person_id=known.pk)
    case.refresh_from_db()
    assert case.person == known
    assert known.cases.count() == 2
    assert not type(placeholder).objects.filter(pk=placeholder.pk).exists()
    assert AuditEvent.objects.filter(
        object_ref=placeholder.reference, changes__has_key="merged_into"
    ).exists()


def test_person_changes_are_audited_field_by_field(make, karin):
    case = make("awaiting_interview")
    services.person_update(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        data={"name": "Ny Navn", "aliases": ["NN"]},
    )
    event = AuditEvent.objects.for_object(case.person).get(action="update", actor=karin)
    # Which fields changed, never the identifying values (anonymisation must erase them).
    assert set(event.changes) == {"name", "aliases"}
    assert event.changes["name"][1] == "[personal data]"
    assert event.changes["aliases"] == [[], "[personal data]"]
    assert "Ny Navn" not in str(event.changes) and "NN" not in str(event.changes)


def test_a_minor_is_derived_from_the_age_and_declared_only_without_one(make, karin):
    case = make("awaiting_interview")
    person = case.person
    person.birth_date = timezone.localdate().replace(year=timezone.localdate().year - 16)
    assert person.is_minor
    person.birth_date = None
    assert not person.is_minor
    person.declared_minor = True
    assert person.is_minor


def test_notes_are_append_only_and_corrections_point_back(make, karin):
    case = make("awaiting_interview")
    note = services.note_add(actor=karin, case_id=case.pk, text="Første")
    note.text = "Ændret"
    with pytest.raises(ValueError):
        note.save()
    correction = services.note_add(actor=karin, case_id=case.pk, text="Rettelse", corrects=note)
    assert Note.objects.get(pk=note.pk).text == "Første"
    assert correction.corrects == note


def test_the_newest_consent_counts(make, karin):
    case = make("awaiting_interview")
    today = timezone.localdate()
    services.consent_record(
        actor=karin, case_id=case.pk, kind="telephone_contact", given=True, given_on=today
    )
    assert has_consent(case, "telephone_contact")
    services.consent_record(
        actor=karin, case_id=case.pk, kind="telephone_contact", given=False, given_on=today
    )
    assert not has_consent(case, "telephone_contact")
    assert not has_consent(case, "named_police_report")
