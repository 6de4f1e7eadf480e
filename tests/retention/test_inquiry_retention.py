"""Inquiries that never became a course are erased CMM_INQUIRY_RETENTION_MONTHS after
they were closed (retention/inquiries.py, docs/retention.md)."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models.functions import Cast

from cmm.audit.models import AuditEvent
from referrals import services as inquiry_services
from referrals.models import Inquiry, InquiryPerson
from retention import inquiries as retention
from retention.tasks import erase_expired_inquiries
from stats.counting import statistics_for
from stats.exports import tables
from tests.factories import inquiry_data, make_inquiry, person_data

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
CANARY = f"KAN{uuid.uuid4().hex[:8]}"


def at(moment: str):
    return time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=CPH), tick=False)


def closed_inquiry(actor, reason: str = "advice_given", **fields) -> Inquiry:
    inquiry = inquiry_services.inquiry_create(
        actor=actor,
        data=inquiry_data(
            caller_contact=f"{CANARY} telefon 12 34 56 78",
            summary=f"Opkald om {CANARY}",
            **fields,
        ),
        persons=[
            person_data(alias=f"{CANARY} Ålund", whereabouts=f"Hos {CANARY}", language=CANARY)
        ],
    )
    inquiry = inquiry_services.inquiry_triage(
        actor=actor, inquiry_id=inquiry.pk, version=inquiry.version, note=f"Triage {CANARY}"
    )
    inquiry_services.inquiry_close(
        actor=actor,
        inquiry_id=inquiry.pk,
        version=inquiry.version,
        reason=reason,
        note=f"Lukket {CANARY}",
    )
    return Inquiry.objects.get(pk=inquiry.pk)


def canary_columns() -> set[str]:
    """Every text or JSON column of every model that still holds the canary."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            rows = model._base_manager.annotate(_t=Cast(field.name, models.TextField()))
            if rows.filter(_t__icontains=CANARY).exists():
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_an_inquiry_is_erased_24_months_after_closing_not_a_minute_before(hanne):
    with at("2024-03-10 14:00"):
        inquiry = closed_inquiry(hanne)
    with at("2026-03-10 13:59"):
        assert retention.erase_due_inquiries(apply=True).references == []
    with at("2026-03-10 14:00"):
        assert retention.erase_due_inquiries(apply=True).references == [inquiry.reference]
    inquiry.refresh_from_db()
    assert (inquiry.summary, inquiry.caller_contact, inquiry.triage_note) == ("", "", "")
    assert inquiry.erased_at is not None
    person = InquiryPerson.objects.get(inquiry=inquiry)
    assert (person.alias, person.whereabouts, person.language) == ("", "", "")
    # The codes stay.
    assert (person.gender, person.age, person.nationality) == ("woman", 24, "NG")
    assert (inquiry.channel, inquiry.caller_type, inquiry.close_reason) == (
        "hotline",
        "police",
        "advice_given",
    )
    erased = AuditEvent.objects.for_object(inquiry).get(changes__erased=[False, True])
    assert erased.actor is None


def test_nothing_of_what_was_typed_survives_anywhere(hanne):
    with at("2024-01-10 10:00"):
        closed_inquiry(hanne, reason="no_indicators")
    assert canary_columns(), "the canary is in the records before"
    with at("2026-02-01 10:00"):
        erase_expired_inquiries()
    assert canary_columns() == set()


def test_the_setting_sets_the_period(hanne, settings):
    settings.CMM_INQUIRY_RETENTION_MONTHS = 6
    with at("2025-01-31 09:00"):
        inquiry = closed_inquiry(hanne)
    with at("2025-07-31 09:00"):
        assert retention.erase_due_inquiries(apply=False).references == [inquiry.reference]


def test_an_inquiry_that_became_a_course_or_is_open_is_left_alone(hanne):
    with at("2023-01-10 10:00"):
        referred = make_inquiry(hanne, state="referred")
        still_open = make_inquiry(hanne, state="received")
    with at("2026-01-10 10:00"):
        assert retention.erase_due_inquiries(apply=True).references == []
    assert Inquiry.objects.get(pk=referred.pk).summary
    assert Inquiry.objects.get(pk=still_open.pk).summary


def test_a_legal_hold_keeps_the_inquiry_until_it_is_lifted(hanne):
    with at("2024-01-10 10:00"):
        inquiry = closed_inquiry(hanne)
    call_command("inquiry_legal_hold", inquiry.reference, "--reason", "Politiets efterforskning")
    with at("2026-06-01 10:00"):
        assert retention.erase_due_inquiries(apply=True).references == []
    assert Inquiry.objects.get(pk=inquiry.pk).summary
    with pytest.raises(CommandError, match="allerede omfattet af bevaringspligt"):
        call_command("inquiry_legal_hold", inquiry.reference, "--reason", "igen")
    call_command("inquiry_legal_hold", inquiry.reference, "--reason", "Afsluttet", "--lift")
    with at("2026-06-01 10:00"):
        assert retention.erase_due_inquiries(apply=True).references == [inquiry.reference]
    holds = AuditEvent.objects.for_object(inquiry).filter(changes__has_key="legal_hold")
    assert holds.count() == 2


def test_a_hold_needs_a_reason_and_an_existing_inquiry(hanne):
    with pytest.raises(CommandError, match="begrundelsen"):
        call_command("inquiry_legal_hold", "H-2024-99999", "--reason", " ")
    with pytest.raises(CommandError, match="Ingen henvendelse"):
        call_command("inquiry_legal_hold", "H-2024-99999", "--reason", "x")


def test_the_command_is_a_dry_run_unless_told_to_apply(hanne, capsys):
    with at("2024-01-10 10:00"):
        inquiry = closed_inquiry(hanne)
    with at("2026-02-01 10:00"):
        call_command("erase_expired_inquiries")
        out = capsys.readouterr().out
        assert f"Would erase {inquiry.reference}" in out and "Dry run" in out
        assert Inquiry.objects.get(pk=inquiry.pk).erased_at is None
        call_command("erase_expired_inquiries", "--apply")
        assert f"Erased {inquiry.reference}" in capsys.readouterr().out
    assert Inquiry.objects.get(pk=inquiry.pk).erased_at is not None


def test_a_years_inquiry_statistics_are_the_same_after_erasure(hanne):
    """A year of inquiries over every channel, caller and way of closing, some referred."""
    reasons = ["advice_given", "no_indicators", "referred_elsewhere", "duplicate"]
    channels = ["hotline", "email", "other"]
    callers = ["police", "ngo", "municipality", "self"]
    for month in range(1, 13):
        with at(f"2024-{month:02d}-15 11:00"):
            for n in range(3):
                closed_inquiry(
                    hanne,
                    reason=reasons[(month + n) % 4],
                    channel=channels[(month * n) % 3],
                    caller_type=callers[(month + 2 * n) % 4],
                    subject="possible_victim" if n else "advice",
                )
            make_inquiry(hanne, state="referred")
    before = statistics_for(2024)
    with at("2027-01-01 10:00"):
        assert len(retention.erase_due_inquiries(apply=True).references) == 36
    after = statistics_for(2024)
    assert after == before
    assert tables(after) == tables(before)
    assert before["inquiries"]["total"] > 0
