"""Retention and anonymisation: which courses are listed, the supervisor's confirmation,
the legal hold, what is erased, the dry-run command and the nightly check."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    CaseState,
    Interview,
    Note,
    Person,
    Placement,
    PoliceReport,
    RetentionCheck,
    SupportService,
)
from cases.models.person import age_on
from cmm.audit.models import AuditEvent
from cmm.celery import app
from cmm.core.exceptions import Refused
from cmm.core.models import Draft
from referrals.models import Inquiry, InquiryPerson
from repatriation.models import PreparedReturn
from retention import services as retention
from retention import tasks
from tests.factories import case_in

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
NAME = "Zofia Wąsik-Ærø"
ALIAS = "Zosia Kanarek"
BORN = date(1990, 7, 15)


def _version(case_id: int) -> int:
    return Case.objects.get(pk=case_id).version


def _end_course(case: Case, contact, today: date) -> Case:
    services.case_answer_offer(
        actor=contact, case_id=case.pk, version=_version(case.pk), accepted=True, on=today
    )
    services.case_end(
        actor=contact, case_id=case.pk, version=_version(case.pk), status="no_show", on=today
    )
    return Case.objects.select_related("person").get(pk=case.pk)


@pytest.fixture
def old_course(hanne, tove, karin):
    """A course that ended on 1 March 2019, with something in every free-text field."""
    with time_machine.travel(datetime(2019, 3, 1, 10, tzinfo=CPH), tick=False):
        today = timezone.localdate()
        case = case_in("assessed_trafficked", hotline=hanne, supervisor=tove, contact=karin)
        services.person_update(
            actor=tove,
            case_id=case.pk,
            version=_version(case.pk),
            data={
                "name": NAME,
                "aliases": [ALIAS],
                "birth_date": BORN,
                "birth_date_is_estimate": False,
                "phone": "+45 11 22 33 44",
                "email": "zofia@example.invalid",
                "address": "Syntetisk Vej 1, 9999 Testby",
                "languages": "polsk",
            },
        )
        services.note_add(actor=karin, case_id=case.pk, text=f"Samtale med {NAME} om gælden.")
        services.case_answer_offer(
            actor=karin, case_id=case.pk, version=_version(case.pk), accepted=True, on=today
        )
        services.placement_add(
            actor=karin,
            case_id=case.pk,
            version=_version(case.pk),
            data={
                "housing_type": "shelter",
                "place": "Krisecenter Syntetisk",
                "starts_on": today,
                "ends_on": today,
                "end_reason": "moved",
            },
        )
        services.service_add(
            actor=karin,
            case_id=case.pk,
            version=_version(case.pk),
            data={"kind": "legal_aid", "given_on": today, "note": f"Advokat for {NAME}"},
        )
        services.police_report_record(
            actor=karin,
            case_id=case.pk,
            version=_version(case.pk),
            data={"filed": False, "not_filed_reason": "other", "note": f"{NAME} tør ikke."},
        )
        services.case_end(
            actor=karin, case_id=case.pk, version=_version(case.pk), status="no_show", on=today
        )
    return Case.objects.select_related("person").get(pk=case.pk)


def _anonymise(client, case: Case, reference: str | None = None, understood: bool = True):
    data = {"reference": case.reference if reference is None else reference}
    if understood:
        data["understood"] = "on"
    return client.post(reverse("cases:anonymise", args=[case.pk]), data)


def _search(client, query: str) -> str:
    return client.post(reverse("search"), {"q": query}).content.decode()


# Which courses are listed -----------------------------------------------------------------


def test_a_course_ended_five_years_ago_is_listed_for_the_supervisor_by_reference(
    login, old_course, tove
):
    assert old_course.state == CaseState.ENDED and old_course.ended_on == date(2019, 3, 1)
    assert not RetentionCheck.objects.exists()  # the page does not wait for the night

    page = login(tove).get(reverse("cases:retention"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Til anonymisering" in html  # the navigation's link, in Danish
    assert old_course.reference in html
    assert "01.03.2019" in html or "1.3.2019" in html or "01-03-2019" in html
    assert NAME not in html and ALIAS not in html
    assert reverse("cases:anonymise", args=[old_course.pk]) in html


def test_the_minor_marker_shows_a_person_who_was_a_minor_during_the_course(old_course, tove):
    services.person_update(
        actor=tove,
        case_id=old_course.pk,
        version=old_course.version,
        data={"birth_date": date(2003, 1, 1)},  # 16 when the course opened in 2019
    )
    old_course.refresh_from_db()
    assert not old_course.person.is_minor  # an adult now
    assert retention.was_minor(old_course)


def test_open_recent_and_recurring_courses_are_not_listed(hanne, tove, karin, old_course):
    recent = _end_course(
        case_in("assessed_trafficked", hotline=hanne, supervisor=tove, contact=karin),
        karin,
        timezone.localdate(),
    )
    open_course = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    assert list(retention.due_courses()) == [old_course]
    assert recent not in retention.due_courses() and open_course not in retention.due_courses()

    # The same person came back: the newer, open course keeps the person's data.
    services.case_link_person(
        actor=tove,
        case_id=open_course.pk,
        version=_version(open_course.pk),
        person_id=old_course.person_id,
    )
    assert list(retention.due_courses()) == []
    with pytest.raises(Refused):
        retention.case_anonymise(
            actor=tove, case_id=old_course.pk, confirmation=old_course.reference
        )


def test_the_retention_period_comes_from_the_setting(settings, old_course):
    assert list(retention.due_courses()) == [old_course]
    settings.CMM_RETENTION_YEARS = 10
    assert list(retention.due_courses()) == []
    assert retention.due_courses(date(2029, 3, 1)).get() == old_course
    assert not retention.due_courses(date(2029, 2, 28)).exists()


# Anonymising --------------------------------------------------------------------------------


def test_anonymising_needs_the_reference_retyped_and_the_irreversibility_confirmed(
    login, old_course, tove
):
    client = login(tove)
    assert client.get(reverse("cases:anonymise", args=[old_course.pk])).status_code == 200

    wrong = _anonymise(client, old_course, reference="C-2019-00000")
    unconfirmed = _anonymise(client, old_course, understood=False)

    assert wrong.status_code == unconfirmed.status_code == 200
    assert "Skriv sagsnummeret præcis" in wrong.content.decode()
    old_course.refresh_from_db()
    assert old_course.anonymised_at is None
    assert Person.objects.get(pk=old_course.person_id).name == NAME


def test_anonymising_erases_the_person_and_the_courses_free_text_and_keeps_the_codes(
    login, old_course, tove, karin
):
    client = login(tove)
    assert (
        NAME.split()[0]
        in client.get(reverse("cases:detail", args=[old_course.pk])).content.decode()
    )
    assert old_course.reference in _search(client, "wasik aero")  # the folded name finds it
    decided_on = old_course.assessment.decided_on

    response = _anonymise(client, old_course)

    assert response.status_code == 302 and response["Location"] == reverse("cases:retention")
    after = client.get(response["Location"]).content.decode()
    assert f"{old_course.reference} er anonymiseret." in after
    person = Person.objects.get(pk=old_course.person_id)
    assert (person.name, person.aliases, person.name_key.strip()) == ("", [], "")
    assert (person.phone, person.email, person.address, person.languages) == ("", "", "", "")
    assert person.birth_date is None and person.birth_year == 1990
    assert (person.gender, person.nationality) == ("woman", "NG")  # coded, kept
    case = Case.objects.get(pk=old_course.pk)
    assert case.anonymised_at is not None and case.end_status == "no_show"
    assert case.assessment.outcome == "trafficked"
    assert case.assessment.age_at_decision == age_on(BORN, decided_on)
    assert set(Note.objects.filter(case=case).values_list("text", flat=True)) == {""}
    interview = Interview.objects.get(case=case)
    assert (interview.notes, interview.place, interview.interpreter) == ("", "", "")
    assert interview.indicators and interview.recommendation == "trafficked"
    assert Placement.objects.get(case=case).place == ""
    assert Placement.objects.get(case=case).housing_type == "shelter"
    assert SupportService.objects.get(case=case).note == ""
    assert PoliceReport.objects.get(case=case).note == ""
    inquiry_person = InquiryPerson.objects.get(case=case)
    assert inquiry_person.alias == "" and inquiry_person.nationality == "NG"
    inquiry = Inquiry.objects.get(pk=inquiry_person.inquiry_id)
    assert (inquiry.summary, inquiry.caller_contact, inquiry.caller_organisation) == ("", "", "")
    assert inquiry.caller_type == "police" and inquiry.subject == "possible_victim"

    for query in ("Zofia", "wasik aero", ALIAS, "Testperson"):
        assert old_course.reference not in _search(client, query)
    assert not Person.objects.filter(name_key__contains="zofia").exists()
    assert not Person.objects.filter(name_key__contains="kanarek").exists()


def test_the_anonymisation_is_audited_by_reference_without_the_erased_values(
    login, old_course, tove
):
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    _anonymise(login(tove), old_course)

    events = AuditEvent.objects.filter(id__gt=last).exclude(action="view")
    event = events.get(object_ref=old_course.reference)
    assert event.actor == tove and event.changes == {"anonymised": [False, True]}
    assert events.filter(object_ref=old_course.person.reference).exists()
    for written in events:
        text = f"{written.changes} {written.reason}"
        assert "Zofia" not in text and "1990" not in text and "Testby" not in text


def test_an_anonymised_course_is_shown_as_such_and_can_no_longer_be_changed(
    login, old_course, tove, karin
):
    retention.case_anonymise(actor=tove, case_id=old_course.pk, confirmation=old_course.reference)
    case = Case.objects.get(pk=old_course.pk)

    page = login(tove).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Anonymiseret" in page and "født i 1990" in page
    assert reverse("cases:step", args=[case.pk, "reopen"]) not in page
    assert reverse("cases:person", args=[case.pk]) not in page
    edit = login(tove).post(reverse("cases:person", args=[case.pk]), {"version": case.version})
    assert edit.status_code == 302 and Person.objects.get(pk=case.person_id).name == ""
    assert old_course.reference not in login(tove).get(reverse("cases:retention")).content.decode()

    with pytest.raises(Refused):
        services.case_reopen(actor=tove, case_id=case.pk, version=case.version, reason="Fejl")
    with pytest.raises(Refused):
        services.note_add(actor=karin, case_id=case.pk, text="Ny oplysning")
    with pytest.raises(Refused):
        services.person_update(
            actor=tove, case_id=case.pk, version=case.version, data={"name": NAME}
        )
    with pytest.raises(Refused):
        retention.case_anonymise(actor=tove, case_id=case.pk, confirmation=case.reference)
    assert Case.objects.get(pk=case.pk).state == CaseState.ENDED


# The legal hold -------------------------------------------------------------------------------


def test_a_legal_hold_stops_listing_and_anonymisation_until_it_is_lifted(login, old_course, tove):
    client = login(tove)
    url = reverse("cases:legal_hold", args=[old_course.pk])

    assert client.post(url, {"reason": "Straffesag ved Retten i Glostrup"}).status_code == 302

    old_course.refresh_from_db()
    assert old_course.legal_hold
    listing = client.get(reverse("cases:retention")).content.decode()
    assert "Straffesag ved Retten i Glostrup" in listing  # under "Under a legal hold"
    assert reverse("cases:anonymise", args=[old_course.pk]) not in listing
    assert old_course not in retention.due_courses()
    refused = _anonymise(client, old_course)
    assert refused.status_code == 200 and "bevaringspligt" in refused.content.decode()
    call_command("anonymise_expired", "--apply", stdout=StringIO())
    assert Case.objects.get(pk=old_course.pk).anonymised_at is None
    assert Person.objects.get(pk=old_course.person_id).name == NAME

    assert client.post(url, {"reason": "Sagen er afgjort"}).status_code == 302

    old_course.refresh_from_db()
    assert not old_course.legal_hold and old_course.legal_hold_reason == ""
    assert old_course in retention.due_courses()
    events = AuditEvent.objects.filter(object_ref=old_course.reference, actor=tove)
    # Held on the default ground: not a criminal investigation (docs/subject-access.md).
    held = {"legal_hold": [False, True], "legal_hold_ground": ["", "other"]}
    assert events.get(changes=held).reason == ("Straffesag ved Retten i Glostrup")
    assert events.get(changes={"legal_hold": [True, False]}).reason == "Sagen er afgjort"


def test_a_legal_hold_needs_a_reason(login, old_course, tove):
    response = login(tove).post(reverse("cases:legal_hold", args=[old_course.pk]), {"reason": " "})
    assert response.status_code == 200
    assert not Case.objects.get(pk=old_course.pk).legal_hold
    with pytest.raises(Refused):
        retention.legal_hold_set(actor=tove, case_id=old_course.pk, reason="")


def test_a_hold_on_another_course_of_the_person_keeps_the_person(hanne, tove, karin, old_course):
    other = case_in("awaiting_assignment", hotline=hanne, supervisor=tove, contact=karin)
    services.case_link_person(
        actor=tove, case_id=other.pk, version=_version(other.pk), person_id=old_course.person_id
    )
    retention.legal_hold_set(actor=tove, case_id=other.pk, reason="Anmodning fra politiet")
    assert old_course not in retention.due_courses()


# Who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hanne", "karin", "kasper", "stig", "anna"])
def test_only_supervisors_review_hold_or_anonymise(request, login, old_course, who):
    user = request.getfixturevalue(who)
    client = login(user)

    assert client.get(reverse("cases:retention")).status_code == 403
    for name in ("cases:anonymise", "cases:legal_hold"):
        url = reverse(name, args=[old_course.pk])
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"reference": old_course.reference, "understood": "on"}).status_code
            == 404
        )
    assert "Til anonymisering" not in client.get(reverse("home"), follow=True).content.decode()
    with pytest.raises(PermissionDenied):
        retention.case_anonymise(
            actor=user, case_id=old_course.pk, confirmation=old_course.reference
        )
    with pytest.raises(PermissionDenied):
        retention.legal_hold_set(actor=user, case_id=old_course.pk, reason="Nej")
    assert Case.objects.get(pk=old_course.pk).anonymised_at is None
    assert not Case.objects.get(pk=old_course.pk).legal_hold


# The command and the nightly check ----------------------------------------------------------


def test_the_command_is_a_dry_run_unless_told_to_apply(old_course):
    out = StringIO()
    call_command("anonymise_expired", stdout=out)

    assert old_course.reference in out.getvalue() and "Dry run" in out.getvalue()
    assert Case.objects.get(pk=old_course.pk).anonymised_at is None
    assert Person.objects.get(pk=old_course.person_id).name == NAME
    assert not AuditEvent.objects.filter(changes={"anonymised": [False, True]}).exists()

    out = StringIO()
    call_command("anonymise_expired", "--apply", stdout=out)

    assert "1 course(s) anonymised" in out.getvalue()
    assert Case.objects.get(pk=old_course.pk).anonymised_at is not None
    assert Person.objects.get(pk=old_course.person_id).name == ""
    event = AuditEvent.objects.get(
        object_ref=old_course.reference, changes={"anonymised": [False, True]}
    )
    assert event.actor is None and "anonymise_expired" in event.reason


def test_the_nightly_check_records_the_list_and_tells_supervisors_only_of_new_courses(
    old_course, tove
):
    tove.email = "tove@example.invalid"
    tove.save()
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "retention.tasks.retention_check" in schedule

    assert tasks.retention_check() == 1

    check = RetentionCheck.objects.get()
    assert check.references == [old_course.reference] and check.notified == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tove@example.invalid"]
    assert old_course.reference in mail.outbox[0].body and "Zofia" not in mail.outbox[0].body
    assert Case.objects.get(pk=old_course.pk).anonymised_at is None  # listing only

    assert tasks.retention_check() == 1
    assert len(mail.outbox) == 1  # nothing new the second night
    assert RetentionCheck.objects.count() == 2


def test_anonymising_deletes_every_users_drafts_of_the_courses_pages(
    old_course, hanne, tove, karin, kasper
):
    prepared = PreparedReturn.objects.create(case=old_course)
    inquiry_id = InquiryPerson.objects.get(case=old_course).inquiry_id
    other = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=kasper)
    fields = {"#1": {"note": [f"Udkast om {NAME}"]}}
    course_pages = [
        (karin, reverse("cases:person", args=[old_course.pk])),
        (tove, reverse("cases:detail", args=[old_course.pk])),
        (karin, reverse("cases:step", args=[old_course.pk, "service"])),
        (karin, reverse("repatriation:edit", args=[prepared.pk])),
        (hanne, reverse("referrals:edit", args=[inquiry_id])),
    ]
    kept_pages = [
        (kasper, reverse("cases:person", args=[other.pk])),
        (hanne, reverse("referrals:create")),
    ]
    for owner, path in course_pages + kept_pages:
        Draft.objects.create(owner=owner, path=path, fields=fields)

    retention.case_anonymise(actor=tove, case_id=old_course.pk, confirmation=old_course.reference)

    left = set(Draft.objects.values_list("owner", "path"))
    assert left == {(owner.pk, path) for owner, path in kept_pages}
