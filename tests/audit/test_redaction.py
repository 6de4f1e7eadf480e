"""Erasure reaches the audit trail: identifying values are never written to it, and
anonymisation redacts those older events still hold, the one change the trail allows."""

import csv
import io
import json
from datetime import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Interview, Note, Person
from cmm.audit import services as audit
from cmm.audit.models import AppendOnlyError, AuditEvent
from cmm.audit.personal import IDENTIFYING_FIELDS, REDACTED
from referrals.models import Inquiry, InquiryPerson
from retention import services as retention
from tests.factories import make_inquiry
from tests.race import postgresql_only
from tests.retention.test_retention import (  # noqa: F401
    ALIAS,
    CPH,
    NAME,
    _anonymise,
    old_course,
)

pytestmark = pytest.mark.django_db

PHONE = "+45 11 22 33 44"
NOTE = "Samtale med Zofia om gælden."
# Everything the course held that identifies the person, as the old trail stored it.
ERASED = (
    "Zofia",
    "Wąsik",
    "wasik",
    "Kanarek",
    "Zosia",
    "1990-07-15",
    "11 22 33 44",
    "zofia@example.invalid",
    "Testby",
    "gælden",
    "Syntetisk samtale",
    "Tolk A",
    "Testperson 1",
    "Syntetisk testhenvendelse",
    "Krisecenter Syntetisk",
    "tør ikke",
)


def _event(hanne) -> AuditEvent:
    return AuditEvent.objects.for_object(make_inquiry(hanne)).first()


# The rule, in code and in the database -------------------------------------------------


def test_a_redaction_changes_only_the_changes_once(hanne):
    event = _event(hanne)
    event.changes = {"summary": [None, REDACTED]}
    event.redacted_at = timezone.now()
    event.save()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {"summary": [None, REDACTED]} and stored.redacted_at

    stored.changes = {}
    stored.redacted_at = timezone.now()
    with pytest.raises(AppendOnlyError):
        stored.save()  # a second redaction
    stored.redacted_at = None
    with pytest.raises(AppendOnlyError):
        stored.save()  # un-redacting
    assert AuditEvent.objects.get(pk=event.pk).changes == {"summary": [None, REDACTED]}


def test_a_redaction_may_replace_the_reason_with_the_marker_and_nothing_else(hanne):
    event = _event(hanne)
    event.reason = "rewritten"
    event.redacted_at = timezone.now()
    with pytest.raises(AppendOnlyError):
        event.save()
    event.reason = REDACTED
    event.save()
    assert AuditEvent.objects.get(pk=event.pk).reason == REDACTED


def test_a_redaction_cannot_change_another_column_or_skip_the_mark(hanne, tove):
    event = _event(hanne)
    event.changes = {}
    with pytest.raises(AppendOnlyError):
        event.save()  # no redacted_at: an ordinary change
    for column, value in (("reason", "rewritten"), ("actor", tove), ("object_ref", "X")):
        event = _event(hanne)
        setattr(event, column, value)
        event.redacted_at = timezone.now()
        with pytest.raises(AppendOnlyError):
            event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(redacted_at=timezone.now())
    assert not AuditEvent.objects.filter(redacted_at__isnull=False).exists()


def _sql(statement: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@postgresql_only
def test_the_database_allows_a_first_redaction_and_nothing_else(hanne):
    event = _event(hanne)
    refused = (
        "UPDATE audit_auditevent SET reason = 'tampered' WHERE id = %s",
        "UPDATE audit_auditevent SET changes = '{}' WHERE id = %s",
        "UPDATE audit_auditevent SET changes = '{}', redacted_at = now(), "
        "reason = 'tampered' WHERE id = %s",
        "UPDATE audit_auditevent SET redacted_at = now(), actor_id = NULL WHERE id = %s",
        "UPDATE audit_auditevent SET redacted_at = now(), at = now() WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    )
    for statement in refused:
        with pytest.raises(DatabaseError, match="append-only"):
            _sql(statement, event.pk)
    assert AuditEvent.objects.get(pk=event.pk).redacted_at is None

    _sql(
        "UPDATE audit_auditevent SET changes = '{\"x\": 1}', redacted_at = now(), "
        "reason = '[personal data]' WHERE id = %s",
        event.pk,
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {"x": 1} and stored.reason == REDACTED

    for statement in (
        "UPDATE audit_auditevent SET redacted_at = NULL WHERE id = %s",  # un-redacting
        "UPDATE audit_auditevent SET changes = '{}', redacted_at = now() WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            _sql(statement, event.pk)
    assert AuditEvent.objects.get(pk=event.pk).changes == {"x": 1}


# What is written from now on ------------------------------------------------------------


def test_identifying_fields_are_recorded_as_changed_without_their_values(hanne):
    inquiry = make_inquiry(hanne)
    created = AuditEvent.objects.for_object(inquiry).get(action="create")
    assert created.changes["summary"] == [None, REDACTED]
    assert created.changes["caller_contact"] == [None, REDACTED]
    assert created.changes["channel"] == [None, "hotline"]  # coded, kept
    person = AuditEvent.objects.for_object(inquiry.persons.get()).get(action="create")
    assert person.changes["alias"] == [None, REDACTED]
    assert person.changes["nationality"] == [None, "NG"]
    assert person.redacted_at is None  # masked on the way in, never rewritten


def test_the_list_of_identifying_fields_names_real_fields():
    from django.apps import apps

    for label, fields in IDENTIFYING_FIELDS.items():
        model = apps.get_model(label)
        for name in fields:
            model._meta.get_field(name)


def test_a_search_is_for_a_name_when_every_word_begins_one_of_its_words():
    names = [NAME, ALIAS]
    for query in ("Zofia", "wasik aero", "ZOS", "kanarek zofia", "Wąsik"):
        assert audit.searched_for(query, names), query
    for query in ("Zofia Hansen", "C-2019-00001", "", "  ", "Testperson"):
        assert not audit.searched_for(query, names), query


def test_failed_logins_hold_the_username_tried_and_the_address_only(client):
    client.post(reverse("login"), {"username": "karin", "password": "Zofia-1990"})
    event = AuditEvent.objects.get(action="login_failed")
    assert set(event.changes) == {"username", "address"}
    assert "Zofia" not in json.dumps(event.changes)


# Anonymisation ----------------------------------------------------------------------------


def _legacy(actor, obj, changes: dict) -> None:
    """An event as the trail stored it before identifying values were masked."""
    AuditEvent.objects.create(
        actor=actor,
        action="update",
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_ref=obj.reference,
        changes=changes,
    )


def _legacy_trail(case, karin) -> None:
    person = Person.objects.get(pk=case.person_id)
    note = Note.objects.filter(case=case).first()
    interview = Interview.objects.get(case=case)
    inquiry_person = InquiryPerson.objects.get(case=case)
    _legacy(
        karin,
        person,
        {
            "name": ["", NAME],
            "aliases": [[], [ALIAS]],
            "birth_date": [None, "1990-07-15"],
            "phone": ["", PHONE],
            "email": ["", "zofia@example.invalid"],
            "address": ["", "Syntetisk Vej 1, 9999 Testby"],
            "nationality": ["", "NG"],
        },
    )
    _legacy(karin, note, {"text": [None, NOTE], "corrects": [None, None]})
    _legacy(
        karin,
        interview,
        {"notes": [None, "Syntetisk samtale."], "interpreter": [None, "Tolk A"]},
    )
    _legacy(karin, inquiry_person, {"alias": [None, "Testperson 1"], "age": [None, 24]})
    _legacy(karin, inquiry_person.inquiry, {"summary": [None, "Syntetisk testhenvendelse."]})


@pytest.fixture
def course(old_course, karin):  # noqa: F811
    """The course of test_retention, with the trail an older version wrote for it."""
    _legacy_trail(old_course, karin)
    return old_course


def _all_changes() -> str:
    rows = AuditEvent.objects.values_list("changes", "object_ref")
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)


def test_anonymising_a_course_leaves_no_erased_value_anywhere_in_the_trail(
    login, course, tove, karin
):
    searcher = login(karin)
    for query in ("Zofia", "wasik aero", "Zosia Kanarek", course.reference, "Hansen"):
        searcher.post(reverse("search"), {"q": query})
    assert "Zofia" in _all_changes() and "Kanarek" in _all_changes()  # the trail held them

    assert _anonymise(login(tove), course).status_code == 302

    text = _all_changes()
    for value in ERASED:
        assert value not in text, value
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT string_agg(changes::text, ' ') FROM audit_auditevent")
            stored = cursor.fetchone()[0]
        assert not [value for value in ERASED if value in stored]

    # The events stay, with who, when, what and which field.
    note = Note.objects.filter(case=course).first()
    event = AuditEvent.objects.filter(object_ref=note.reference, actor=karin).latest("id")
    assert event.changes == {"text": [None, REDACTED], "corrects": [None, None]}
    assert event.redacted_at is not None and event.action == "update"
    person = AuditEvent.objects.filter(object_ref=course.person.reference, actor=karin)
    assert person.latest("id").changes["nationality"] == ["", "NG"]  # coded, kept
    searches = AuditEvent.objects.filter(action="search", actor=karin)
    assert [s.changes["query"] for s in searches.order_by("id")] == [
        REDACTED,
        REDACTED,
        REDACTED,
        course.reference,
        "Hansen",
    ]
    assert all(s.changes["results"] is not None for s in searches)
    inquiry = Inquiry.objects.get(persons__case=course)
    assert AuditEvent.objects.filter(object_ref=inquiry.reference, redacted_at__isnull=False)


def test_the_review_pages_and_the_dpo_export_show_the_events_without_the_erased_values(
    login, course, tove, karin
):
    login(karin).post(reverse("search"), {"q": "Zofia"})
    reviewer = login(tove)
    _anonymise(reviewer, course)
    note = Note.objects.filter(case=course).first()

    page = reviewer.get(reverse("audit:person", args=[course.pk])).content.decode()
    activity = reviewer.get(reverse("audit:user", args=[karin.pk])).content.decode()
    export = reviewer.get(reverse("audit:export"), {"user": karin.pk}).content.decode()
    for value in ERASED:
        assert value not in page and value not in activity and value not in export, value

    # Who, when, what and which field, the values shown as personal data (in Danish).
    assert note.reference in page and reverse("audit:user", args=[karin.pk]) in page
    assert "[personoplysning]" in page
    assert "[personoplysning, fjernet]" in activity  # the search for her name
    rows = list(csv.DictReader(io.StringIO(export)))
    note_rows = [r for r in rows if r["record"] == note.reference and r["action"] == "update"]
    assert note_rows and "'text'" in note_rows[0]["changes"]
    assert REDACTED in note_rows[0]["changes"] and note_rows[0]["redacted_at"]
    assert any(r["action"] == "search" and REDACTED in r["changes"] for r in rows)


def test_courses_anonymised_before_the_upgrade_are_redacted_by_the_command(
    old_course,  # noqa: F811
    karin,
    tove,
):
    retention.case_anonymise(actor=tove, case_id=old_course.pk, confirmation=old_course.reference)
    # What an older version left in the trail: the values the course's events recorded.
    _legacy_trail(old_course, karin)
    assert "Syntetisk samtale" in _all_changes()

    call_command("redact_anonymised_audit", stdout=io.StringIO())
    call_command("redact_anonymised_audit", stdout=io.StringIO())  # again: nothing to do

    text = _all_changes()
    assert not [value for value in ERASED if value in text]
    note = Note.objects.filter(case=old_course).first()
    event = AuditEvent.objects.filter(object_ref=note.reference, actor=karin).latest("id")
    assert event.changes == {"text": [None, REDACTED], "corrects": [None, None]}


def test_the_reasons_typed_on_the_course_are_erased_and_shown_as_personal_data(
    login,
    old_course,  # noqa: F811
    tove,
    karin,
):
    retention.legal_hold_set(actor=tove, case_id=old_course.pk, reason="Retssag mod Zofia")
    retention.legal_hold_lift(actor=tove, case_id=old_course.pk, reason="Zofia vidnede")
    with time_machine.travel(datetime(2019, 3, 1, 12, tzinfo=CPH), tick=False):
        version = Case.objects.get(pk=old_course.pk).version
        services.case_reopen(
            actor=tove, case_id=old_course.pk, version=version, reason="Zofia kom tilbage"
        )
        services.case_end(
            actor=karin,
            case_id=old_course.pk,
            version=version + 1,
            status="no_show",
            on=timezone.localdate(),
            reason="Zofia rejste igen",
        )
    client = login(tove)
    timeline = reverse("cases:timeline", args=[old_course.pk])
    page = client.get(timeline).content.decode()
    assert "Zofia kom tilbage" in page and "Zofia rejste igen" in page  # the history

    assert _anonymise(client, old_course).status_code == 302

    reasons = AuditEvent.objects.filter(object_ref=old_course.reference).values_list(
        "reason", flat=True
    )
    assert not [r for r in reasons if "Zofia" in r]
    page = client.get(timeline).content.decode()
    assert "Zofia" not in page
    assert "[personoplysning]" in page
    assert "Zofia" not in client.get(reverse("cases:detail", args=[old_course.pk])).content.decode()
