"""A person's subject access file (indsigt, GDPR art. 15; docs/subject-access.md).

Everything stored about one person, from every course of theirs: the person, the
inquiries that name them (their own entry in each), interviews, assessments, consents,
journal notes, reflection periods and extensions, housing, services, a minor's care,
police reports, the prepared return and its payments, and the audit trail of who read or
changed any of it and when. One query per kind of record, however long the course.

It is refused for an anonymised course (nothing identifying is left to give) and for a
course under a legal hold on the ground of a criminal investigation or proceedings, the
one restriction of the right of access that databeskyttelsesloven § 22 allows here.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Assessment,
    Case,
    Consent,
    Extension,
    Interview,
    LegalHoldGround,
    MinorCare,
    Note,
    Person,
    Placement,
    PoliceReport,
    ReflectionPeriod,
    SupportService,
)
from cmm.audit import services as audit
from cmm.audit.models import AuditEvent
from cmm.core.exceptions import Refused
from referrals.models import Inquiry, InquiryPerson
from repatriation.models import Payment, PreparedReturn
from retention.models import SubjectAccess
from rules import codes
from rules.codes import CodeValidator

PERM = "retention.produce_subject_access"

# Internal keys and counters, not data about the person.
_INTERNAL = {"id", "name_key", "alias_key", "version", "next_payment_due_on"}

# Each kind of record of a course, and how it hangs off the person's courses.
_COURSE_RECORDS: list[tuple[type[models.Model], str]] = [
    (Interview, "case__in"),
    (Assessment, "case__in"),
    (Consent, "case__in"),
    (Note, "case__in"),
    (ReflectionPeriod, "case__in"),
    (Extension, "period__case__in"),
    (Placement, "case__in"),
    (SupportService, "case__in"),
    (MinorCare, "case__in"),
    (PoliceReport, "case__in"),
    (PreparedReturn, "case__in"),
    (Payment, "prepared_return__case__in"),
    (InquiryPerson, "case__in"),
]


def refusal(case: Case) -> str | None:
    """Why no file may be produced for this course's person, or None."""
    if case.anonymised_at is not None:
        return _("The course is anonymised: nothing identifying the person is left to give.")
    if case.legal_hold and case.legal_hold_ground == LegalHoldGround.CRIMINAL:
        return _(
            "The course is under a legal hold for a criminal investigation or proceedings: "
            "the right of access is restricted while it lasts (databeskyttelsesloven § 22)."
        )
    return None


def _value(obj: models.Model, field: models.Field, users: dict[int, str]) -> Any:
    if field.is_relation:
        key = getattr(obj, field.attname)
        if field.related_model is get_user_model():
            return users.get(key) if key is not None else None
        return key
    if field.choices:
        value = getattr(obj, field.attname)
        return {"code": value, "label": str(dict(field.flatchoices).get(value, value))}
    code_lists = [v.name for v in field.validators if isinstance(v, CodeValidator)]
    if code_lists:
        value = getattr(obj, field.attname)
        return {"code": value, "label": codes.label(code_lists[0], value) if value else ""}
    value = getattr(obj, field.attname)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in _INTERNAL]


@dataclass
class Section:
    model: type[models.Model]
    records: list[models.Model]

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural).capitalize()


def collect(person: Person) -> tuple[list[Section], list[AuditEvent]]:
    """Every record of the person and the audit events about them."""
    cases = list(Case.objects.filter(person=person).order_by("opened_at", "id"))
    case_ids = [c.pk for c in cases]
    sections = [Section(Person, [person]), Section(Case, cases)]
    for model, path in _COURSE_RECORDS:
        sections.append(
            Section(model, list(model.objects.filter(**{path: case_ids}).order_by("pk")))
        )
    inquiries = list(
        Inquiry.objects.filter(Q(linked_case__in=case_ids) | Q(persons__case__in=case_ids))
        .distinct()
        .order_by("received_at", "id")
    )
    sections.append(Section(Inquiry, inquiries))
    refs = [c.reference for c in cases] + [i.reference for i in inquiries]
    about = Q(content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk))
    for ref in refs:
        about |= Q(object_ref=ref) | Q(object_ref__startswith=f"{ref}/")
    events = list(
        AuditEvent.objects.filter(about)
        .select_related("actor", "content_type")
        .order_by("at", "id")
    )
    return sections, events


def _users(sections: list[Section]) -> dict[int, str]:
    user_model = get_user_model()
    ids = {
        getattr(obj, f.attname)
        for s in sections
        for f in _fields(s.model)
        if f.is_relation and f.related_model is user_model
        for obj in s.records
    } - {None}
    return {
        u.pk: u.get_full_name() or u.get_username() for u in user_model.objects.filter(pk__in=ids)
    }


def document(person: Person) -> dict[str, Any]:
    """The file's content as data: the JSON file, and what the HTML file shows."""
    sections, events = collect(person)
    users = _users(sections)
    return {
        "produced_at": timezone.localtime().isoformat(timespec="minutes"),
        "sections": [
            {
                "model": s.model._meta.label_lower,
                "title": s.title,
                "fields": [(f.name, str(f.verbose_name)) for f in _fields(s.model)],
                "records": [
                    {f.name: _value(obj, f, users) for f in _fields(s.model)} for obj in s.records
                ],
            }
            for s in sections
        ],
        "audit_trail": [
            {
                "at": timezone.localtime(e.at).isoformat(timespec="seconds"),
                "by": (e.actor.get_full_name() or e.actor.get_username()) if e.actor else None,
                "action": {"code": e.action, "label": str(e.get_action_display())},
                "record": e.object_ref,
                "kind": str(e.content_type.model_class()._meta.verbose_name)
                if e.content_type and e.content_type.model_class()
                else "",
                "transition": e.transition,
                "changes": e.changes,
                "reason": e.reason,
            }
            for e in events
        ],
    }


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict) and "label" in value:
        return value["label"]
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _readable(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sections as the HTML file shows them: each record a list of (label, text)."""
    return [
        {
            "title": s["title"],
            "records": [
                [(label, _shown(record[name])) for name, label in s["fields"]]
                for record in s["records"]
            ],
        }
        for s in sections
    ]


@transaction.atomic
def produce(*, actor: AbstractBaseUser, case_id: int, reason: str) -> tuple[str, bytes]:
    """The zip (file name, content) of the person's subject access file: an HTML document
    for the person and the same as JSON. Recorded and audited with its reason."""
    if not actor.has_perm(PERM):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise Refused(_("Give the reason for producing the file."))
    case = Case.objects.select_related("person").get(pk=case_id)
    refused = refusal(case)
    if refused:
        raise Refused(refused)
    data = document(case.person)
    html = render_to_string(
        "retention/subject_access_file.html",
        {"doc": data, "case": case, "sections": _readable(data["sections"])},
    )
    SubjectAccess.objects.create(person=case.person, case=case, produced_by=actor, reason=reason)
    audit.record(
        actor, audit.Action.EXPORT, case.person, changes={"subject_access": True}, reason=reason
    )
    name = f"indsigt-{case.reference}-{timezone.localdate():%Y%m%d}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}/indsigt.html", html)
        archive.writestr(
            f"{name}/indsigt.json", json.dumps(data, indent=2, ensure_ascii=False, default=str)
        )
    return f"{name}.zip", buffer.getvalue()
