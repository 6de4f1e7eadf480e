"""Anonymisation leaves no free text of the course anywhere in the database.

A course is built with a canary in every free-text field of every record linked to it
(found generically: every record reachable from the case through the case, referral and
return apps, every text or JSON field that is not a code) and in every reason typed along
the way (the authority choice, a legal hold and its lifting, the return's stop, the end of
the course, its reopening, the triage of its inquiries), and a draft of one of its pages.
After anonymisation every text and JSON column of every model of the project is searched
for the canary. A field added later is filled and searched the same way, so it fails here
until `retention.services` erases it (or it is declared a code below).
"""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, MinorCare, Placement, PoliceReport, SupportService
from cases.services import inquiry_link, inquiry_refer
from cmm.core.models import Draft
from referrals import services as inquiry_services
from repatriation import services as return_services
from repatriation.models import Payment
from retention import services as retention
from rules.codes import CodeValidator
from tests.factories import interview_data, make_inquiry

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
CANARY = f"KAN{uuid.uuid4().hex[:8]}"

# The apps whose records belong to a course.
COURSE_APPS = {"cases", "referrals", "repatriation"}
# Text fields of those apps that hold codes or references, never free text.
CODED = {
    "cases.Case.reference",
    "referrals.Inquiry.reference",
    "repatriation.PreparedReturn.stopped_at",  # the step the return was stopped at
    "cases.Interview.indicators",
    "cases.Assessment.criminal_kinds",
    "cases.PoliceReport.provisions",
    "cases.Assessment.received_via",  # the name of the API client it came from, set by the API
}
TEXT = (models.CharField, models.TextField, models.JSONField)


def _label(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def free_text_fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT)
        and not f.choices
        # A code of one of the mechanism's code lists (rules.codes): checked against it.
        and not any(isinstance(v, CodeValidator) for v in f.validators)
        and _label(model, f) not in CODED
    ]


def course_records(case: Case) -> list[models.Model]:
    """Every record of the course apps reachable from the case, in either direction."""
    seen: dict[tuple[str, object], models.Model] = {}
    todo: list[models.Model] = [case]
    while todo:
        obj = todo.pop()
        key = (obj._meta.label, obj.pk)
        if key in seen:
            continue
        seen[key] = obj
        for field in obj._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target._meta.app_label in COURSE_APPS:
                related = getattr(obj, field.name)
                if related is not None:
                    todo.append(related)
        for rel in obj._meta.related_objects:
            model = rel.related_model
            if model._meta.app_label in COURSE_APPS and not rel.many_to_many:
                todo.extend(model._base_manager.filter(**{rel.field.name: obj}))
    return list(seen.values())


def canary_fields() -> set[str]:
    """Every text or JSON column of every model of the project that holds the canary."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT):
                continue
            rows = model._base_manager.all()
            # icontains: search keys hold names folded to lower case.
            if isinstance(field, models.JSONField):
                rows = rows.annotate(_text=Cast(field.name, models.TextField()))
                rows = rows.filter(_text__icontains=CANARY)
            else:
                rows = rows.filter(**{f"{field.name}__icontains": CANARY})
            if rows.exists():
                found.add(_label(model, field))
    return found


def _v(case_id: int) -> int:
    return Case.objects.get(pk=case_id).version


@pytest.fixture
def course_full_of_canaries(hanne, tove, karin):
    """A course that ended on 1 March 2019, a canary in every free-text field and reason."""
    with time_machine.travel(datetime(2019, 2, 1, 10, tzinfo=CPH), tick=False):
        today = timezone.localdate()
        inquiry = make_inquiry(hanne)
        inquiry_services.inquiry_triage(
            actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version, note=CANARY
        )
        inquiry.refresh_from_db()
        inquiry_refer(actor=hanne, inquiry_id=inquiry.pk, version=inquiry.version)
        case = inquiry.persons.get().case
        case_services.person_update(
            actor=tove,
            case_id=case.pk,
            version=case.version,
            data={"residence_status": "no_legal_residence", "name": CANARY},
        )
        case_services.case_assign(
            actor=tove, case_id=case.pk, version=_v(case.pk), contact_person=karin
        )
        case_services.interview_record(
            actor=karin,
            case_id=case.pk,
            version=_v(case.pk),
            data=interview_data(),
            interviewers=[karin],
        )
        # Not the authority the residence status points to: the reason is typed by hand.
        case_services.case_send_for_assessment(
            actor=karin,
            case_id=case.pk,
            version=_v(case.pk),
            authority="cmm",
            override_reason=CANARY,
            sent_on=today - timedelta(days=2),
        )
        case_services.case_record_assessment(
            actor=karin,
            case_id=case.pk,
            version=_v(case.pk),
            data={
                "outcome": "trafficked",
                "decided_on": today,
                "decision_received_on": None,
                "contact_actor": "police",
                "exploitation_form": "sexual",
                "sexual_kind": "prostitution",
                "forced_labour_industry": "",
                "criminal_kinds": [],
                "exploitation_country": "DK",
                "exploitation_from": None,
                "exploitation_to": None,
            },
        )
        case_services.case_answer_offer(
            actor=karin, case_id=case.pk, version=_v(case.pk), accepted=True, on=today
        )
        case_services.reflection_start(
            actor=karin,
            case_id=case.pk,
            version=_v(case.pk),
            starts_on=today,
            granted_by="immigration_service",
        )
        case_services.reflection_extend(
            actor=karin,
            case_id=case.pk,
            version=_v(case.pk),
            days=10,
            reason="treatment",
            granted_on=today,
            note=CANARY,
        )
        case_services.note_add(actor=karin, case_id=case.pk, text=CANARY)
        prepared = return_services.return_start(
            actor=karin, case_id=case.pk, case_version=_v(case.pk)
        )
        Payment.objects.create(
            prepared_return=prepared, kind="cash", amount=100, paid_on=today, recorded_by=karin
        )
        return_services.return_stop(
            actor=karin, return_id=prepared.pk, version=1, reason="other", note=CANARY
        )
        case = Case.objects.get(pk=case.pk)
        Placement.objects.create(
            case=case, housing_type="shelter", starts_on=today, ends_on=today, recorded_by=karin
        )
        SupportService.objects.create(
            case=case, kind="legal_aid", given_on=today, recorded_by=karin
        )
        PoliceReport.objects.create(
            case=case, filed=False, not_filed_reason="other", recorded_by=karin
        )
        MinorCare.objects.create(case=case)
        # A follow-up inquiry, linked to the course.
        follow_up = make_inquiry(hanne)
        inquiry_services.inquiry_triage(
            actor=hanne, inquiry_id=follow_up.pk, version=follow_up.version, note=CANARY
        )
        follow_up.refresh_from_db()
        inquiry_link(
            actor=hanne,
            inquiry_id=follow_up.pk,
            version=follow_up.version,
            case_reference=case.reference,
        )
        retention.legal_hold_set(actor=tove, case_id=case.pk, reason=CANARY)
        retention.legal_hold_lift(actor=tove, case_id=case.pk, reason=CANARY)
        case_services.case_end(
            actor=karin, case_id=case.pk, version=_v(case.pk), status="no_show", on=today
        )
        case_services.case_reopen(actor=tove, case_id=case.pk, version=_v(case.pk), reason=CANARY)
    with time_machine.travel(datetime(2019, 3, 1, 10, tzinfo=CPH), tick=False):
        case_services.case_end(
            actor=karin,
            case_id=case.pk,
            version=_v(case.pk),
            status="no_show",
            on=timezone.localdate(),
            reason=CANARY,
        )

    # Every free-text field of every record of the course, whatever the services filled.
    for record in course_records(case):
        values = {
            f.name: [CANARY] if isinstance(f, models.JSONField) else CANARY
            for f in free_text_fields(type(record))
        }
        if values:
            type(record)._base_manager.filter(pk=record.pk).update(**values)
    Draft.objects.create(
        owner=karin,
        path=reverse("cases:person", args=[case.pk]),
        fields={"person": {"name": [CANARY]}},
    )
    return Case.objects.get(pk=case.pk)


def test_no_free_text_of_the_course_survives_anonymisation(course_full_of_canaries, tove):
    case = course_full_of_canaries
    records = course_records(case)
    filled = {_label(type(r), f) for r in records for f in free_text_fields(type(r))}
    # The course reaches every kind of record of the course apps that has free text.
    assert {label.rsplit(".", 1)[0] for label in filled} == {
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in COURSE_APPS
        and free_text_fields(model)
        and model._meta.label != "cases.RetentionCheck"  # references only, of no course
    }
    before = canary_fields()
    assert before >= filled | {"audit.AuditEvent.reason", "core.Draft.fields"}

    retention.case_anonymise(actor=tove, case_id=case.pk, confirmation=case.reference)

    assert canary_fields() == set()
