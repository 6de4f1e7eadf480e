"""Retention and anonymisation of ended courses.

A course is past retention `CMM_RETENTION_YEARS` (default 5) years after it ended
(`Case.ended_on`, set when the course reaches the state "ended"). A supervisor reviews the
courses past retention and anonymises them one by one, confirming each by typing its
reference; `manage.py anonymise_expired --apply` does the same for all of them. A legal
hold keeps a course (and therefore its person) off the list until it is lifted.

A person is shared by all their courses, so a course is listed only when every course of
its person has ended, is past retention and is under no legal hold: a recurring person's
newer course keeps the person's data. Anonymising a course erases the person and that
course's own free text; the person's other courses are listed (and anonymised) on their
own.

What anonymisation erases and keeps, field by field (`erase_course`):

Person (cases): erased: name, aliases and the folded name key (search and duplicate
  detection), telephone, e-mail, address or whereabouts, languages (free text), the
  reference in the previous system (`source_ref`, it leads back to that system's record);
  date of birth reduced to its year (`birth_year`). Kept, coded: gender, nationality,
  residence status, minor flags (declared, unaccompanied), whether the birth date was
  estimated, interpreter needed. Before the date of birth goes, the person's age on each
  of their assessment decisions is stored on the assessment (`age_at_decision`): the
  statistics count age and minors from it, so no year's figures change.
Case: erased: the reason for choosing another authority, the legal hold reason (free
  text). Kept: reference, states, dates, authority, end status, contact persons (staff).
Interview: erased: place, interpreter's name, interpreter's language, notes. Kept: when it
  was held, interviewers (staff), indicators, the risk flags, the recommendation.
Note (journal): erased: the text. Kept: author, time, which note it corrects.
Assessment: everything is coded and kept (it is what the statistics count); only
  `age_at_decision` is added.
Consent, ReflectionPeriod: coded, kept. Extension: erased: the note; kept: days, reason,
  dates, status.
Placement: erased: the place; kept: housing type, dates, end reason.
SupportService: erased: the note; kept: kind and dates.
MinorCare: erased: the personal representative, their contact, the municipality; kept:
  the kind of care placement.
PoliceReport: erased: the note; kept: filed, by whom, provisions, police district, dates,
  reason not filed.
Inquiry persons (referrals) of the course, and the persons of inquiries linked to it:
  erased: name or alias (and its search key), whereabouts, language. Kept: gender, age,
  nationality, interpreter needed, suspected exploitation.
Inquiries: the summary, the triage note, the caller's organisation and contact details
  are erased for inquiries linked to the course, and for the inquiry that referred it
  once every person of that inquiry belongs to an anonymised course (another person's
  course may still need them). Kept: reference, dates, channel, caller type, subject,
  urgency, state, close reason: the inquiry statistics count these.
PreparedReturn (repatriation): erased: family relations, health needs in Denmark and at
  home, the local partner's name and contact, travel documents. Kept: the steps' dates,
  children, risk flags and level, budget, partner country, destination, escort, stop
  reason.
Payment: erased: the note; kept: kind, amount, date.

Audit trail: events record the identifying fields above only as changed, never their
values (`cmm.audit.personal`). Anonymisation redacts what older events still hold, in the
same transaction: the values of those fields in the events of the course, its person and
its erased inquiries are replaced by a marker, and so are the queries of searches for the
person's names or aliases. The free text of every reason in those events (typed with a
transition or a legal hold: choosing another authority, a hold and its lifting, ending or
reopening the course, stopping a return, triaging an inquiry) becomes the marker too. The
trail is otherwise append-only: a redaction is the one change the database allows, once
per event, and it keeps who, when, what and which field.
The anonymisation itself is recorded (the reference and who did it), never the values.

Drafts (`cmm.core.drafts`): every user's drafts of a page of the course, of any course of
its person, of its prepared returns and of the inquiries of its persons are deleted.
"""

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import (
    Assessment,
    Case,
    CaseState,
    Extension,
    Interview,
    LegalHoldGround,
    MinorCare,
    Note,
    Person,
    Placement,
    PoliceReport,
    RetentionCheck,
    SupportService,
)
from cases.models.person import ADULT_AGE, age_on
from cmm.audit import services as audit
from cmm.audit.models import AuditEvent
from cmm.core import drafts
from cmm.core.exceptions import Refused
from cmm.core.roles import Role
from referrals.models import Inquiry, InquiryPerson
from repatriation.models import Payment, PreparedReturn
from retention.inquiries import ERASED_INQUIRY_FIELDS
from retention.models import SubjectAccess

logger = logging.getLogger(__name__)

PERM = "cases.anonymise_case"


def retention_cutoff(today: date | None = None) -> date:
    """Courses that ended on or before this day are past retention."""
    today = today or timezone.localdate()
    years = settings.CMM_RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one
        return today.replace(year=today.year - years, day=28)


def due_courses(today: date | None = None) -> QuerySet[Case]:
    """Ended courses past retention, not anonymised, whose person has no course that is
    open, ended more recently or under a legal hold. Oldest end first."""
    cutoff = retention_cutoff(today)
    blocking = Case.objects.filter(person=OuterRef("person")).filter(
        ~Q(state=CaseState.ENDED)
        | Q(ended_on__isnull=True)
        | Q(ended_on__gt=cutoff)
        | Q(legal_hold=True)
    )
    return (
        Case.objects.filter(
            state=CaseState.ENDED,
            ended_on__lte=cutoff,
            anonymised_at__isnull=True,
            legal_hold=False,
        )
        .exclude(Exists(blocking))
        .select_related("person")
        .order_by("ended_on", "id")
    )


def held_courses() -> QuerySet[Case]:
    """Courses under a legal hold."""
    return Case.objects.filter(legal_hold=True).order_by("ended_on", "id")


def was_minor(case: Case) -> bool:
    """Whether the person was a minor when the course opened (the date of birth where
    known, else the declared flag), or is recorded as an unaccompanied minor."""
    person = case.person
    if person.unaccompanied_minor:
        return True
    age = age_on(person.birth_date, timezone.localtime(case.opened_at).date())
    return age < ADULT_AGE if age is not None else person.declared_minor


def _erase_inquiry(inquiry_id: int) -> None:
    # The same free text as an inquiry erased on its own (retention/inquiries.py).
    Inquiry.objects.filter(pk=inquiry_id).update(**ERASED_INQUIRY_FIELDS)


def _of(model, ids) -> Q:
    return Q(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in ids],
    )


def _redact_trail(
    case: Case, person: Person, names: list[str], inquiry_person_ids: set[int], inquiries: set[int]
) -> None:
    """Redact the identifying values older audit events hold of what `erase_course` erased
    (`changes` only; who, when, what and which field stay)."""
    course = Q(object_ref=case.reference) | Q(object_ref__startswith=f"{case.reference}/")
    # A person registered with the referral and merged into a known one has their own events.
    merged = set()
    for event in AuditEvent.objects.filter(course, changes__has_key="person"):
        merged.update(v for v in event.changes["person"] if isinstance(v, int))
    # Only persons that no longer exist: one who still does keeps their data and trail.
    merged -= set(Person.objects.filter(pk__in=merged).values_list("pk", flat=True))
    person_ids = {person.pk, *merged}
    condition = course | _of(Person, person_ids) | _of(InquiryPerson, inquiry_person_ids)
    for reference in Inquiry.objects.filter(pk__in=inquiries).values_list("reference", flat=True):
        # Every person of an erased inquiry is erased, including ones removed from it.
        condition |= Q(object_ref=reference) | Q(object_ref__startswith=f"{reference}/")
    audit.redact_events(AuditEvent.objects.filter(condition))
    audit.redact_searches(names)


def erase_course(case: Case, now=None) -> None:
    """Erase the identifying data of `case` and its person (the module docstring lists
    every field) and redact them in the audit trail; coded data stay. The caller holds the
    locks, runs it in one transaction and records the anonymisation."""
    now = now or timezone.now()
    person = Person.objects.select_for_update().get(pk=case.person_id)
    inquiry_persons = InquiryPerson.objects.filter(Q(case=case) | Q(inquiry__linked_case=case))
    # The names as they were, to find the searches for them once they are gone.
    names = [person.name, *person.aliases, *inquiry_persons.values_list("alias", flat=True)]
    inquiry_person_ids = set(inquiry_persons.values_list("pk", flat=True))
    erased_inquiries: set[int] = set()
    if person.birth_date is not None:
        # Every course of the person is counted in some year's statistics by the age on
        # its decision date: keep that age before the date of birth goes.
        for assessment in Assessment.objects.filter(
            case__person=person, age_at_decision__isnull=True
        ):
            assessment.age_at_decision = age_on(person.birth_date, assessment.decided_on)
            assessment.save(update_fields=["age_at_decision"])
        person.birth_year = person.birth_date.year
    person.birth_date = None
    person.name = ""
    person.aliases = []
    person.phone = ""
    person.email = ""
    person.address = ""
    person.languages = ""
    person.source_ref = ""
    person.anonymised_at = person.anonymised_at or now
    # save() folds the (now empty) names into name_key as well.
    person.save(
        update_fields=[
            "birth_date",
            "birth_year",
            "name",
            "aliases",
            "phone",
            "email",
            "address",
            "languages",
            "source_ref",
            "anonymised_at",
        ]
    )

    Interview.objects.filter(case=case).update(
        place="", interpreter="", interpreter_language="", notes=""
    )
    # Journal notes refuse save(); erasing is the one change they allow, in bulk.
    Note.objects.filter(case=case).update(text="")
    Extension.objects.filter(period__case=case).update(note="")
    Placement.objects.filter(case=case).update(place="")
    SupportService.objects.filter(case=case).update(note="")
    MinorCare.objects.filter(case=case).update(
        representative="", representative_contact="", municipality=""
    )
    PoliceReport.objects.filter(case=case).update(note="")
    PreparedReturn.objects.filter(case=case).update(
        family_relations="",
        health_in_denmark="",
        health_at_home="",
        partner_name="",
        partner_contact="",
        documents="",
    )
    Payment.objects.filter(prepared_return__case=case).update(note="")

    InquiryPerson.objects.filter(pk__in=inquiry_person_ids).update(
        alias="", alias_key="", whereabouts="", language=""
    )
    for inquiry_id in Inquiry.objects.filter(linked_case=case).values_list("pk", flat=True):
        _erase_inquiry(inquiry_id)
        erased_inquiries.add(inquiry_id)
    referring = set(InquiryPerson.objects.filter(case=case).values_list("inquiry_id", flat=True))
    for inquiry_id in referring:
        others = InquiryPerson.objects.filter(inquiry_id=inquiry_id).exclude(case=case)
        if not others.filter(Q(case__isnull=True) | Q(case__anonymised_at__isnull=True)).exists():
            _erase_inquiry(inquiry_id)
            erased_inquiries.add(inquiry_id)

    # What a user typed into a page of these records and did not save is personal data too.
    # Every course of the person: its person page is theirs, and the person is erased now.
    drafts.delete_drafts_of(
        cases=set(Case.objects.filter(person=person).values_list("pk", flat=True)),
        returns=set(PreparedReturn.objects.filter(case=case).values_list("pk", flat=True)),
        inquiries=erased_inquiries
        | set(
            InquiryPerson.objects.filter(pk__in=inquiry_person_ids).values_list(
                "inquiry_id", flat=True
            )
        ),
    )

    case.authority_override_reason = ""
    case.legal_hold_reason = ""
    # Why someone asked for the person's file may say who they are.
    SubjectAccess.objects.filter(person=person).update(reason="")
    case.anonymised_at = now
    case.version += 1
    case.save(
        update_fields=["authority_override_reason", "legal_hold_reason", "anonymised_at", "version"]
    )
    _redact_trail(case, person, names, inquiry_person_ids, erased_inquiries)


def redact_anonymised_trail(case_id: int) -> None:
    """Redact the audit trail of a course anonymised before anonymisation did so itself
    (run once after upgrading: `manage.py redact_anonymised_audit`). The names are gone,
    so searches for them cannot be recognised any more; everything else is redacted as
    `erase_course` does."""
    case = Case.objects.select_related("person").get(pk=case_id, anonymised_at__isnull=False)
    inquiry_person_ids = set(
        InquiryPerson.objects.filter(Q(case=case) | Q(inquiry__linked_case=case)).values_list(
            "pk", flat=True
        )
    )
    erased = set(Inquiry.objects.filter(linked_case=case).values_list("pk", flat=True))
    for inquiry_id in set(
        InquiryPerson.objects.filter(case=case).values_list("inquiry_id", flat=True)
    ):
        others = InquiryPerson.objects.filter(inquiry_id=inquiry_id).exclude(case=case)
        if not others.filter(Q(case__isnull=True) | Q(case__anonymised_at__isnull=True)).exists():
            erased.add(inquiry_id)
    _redact_trail(case, case.person, [], inquiry_person_ids, erased)


def _lock_course(case_id: int) -> Case:
    """The case and every course of its person, locked, so no course of the person is
    reopened or held while we decide."""
    case = Case.objects.select_related("person").get(pk=case_id)
    list(Case.objects.select_for_update().filter(person_id=case.person_id))
    return Case.objects.select_related("person").get(pk=case_id)


def anonymise_due_course(
    *, actor: AbstractBaseUser | None, case_id: int, reason: str, today: date | None = None
) -> Case:
    """Anonymise one course past retention; refuses anything not on the list. Callers
    check who may: `case_anonymise` for a supervisor, the management command for the
    operator."""
    case = _lock_course(case_id)
    if case.anonymised_at is not None:
        raise Refused(_("This course is already anonymised."))
    if case.legal_hold:
        raise Refused(_("A legal hold stops the anonymisation of this course."))
    if not due_courses(today).filter(pk=case.pk).exists():
        raise Refused(
            _(
                "This course cannot be anonymised yet: the person has a course that is "
                "still open, ended less than %(years)s years ago or is under a legal hold."
            )
            % {"years": settings.CMM_RETENTION_YEARS}
        )
    erase_course(case)
    audit.record(
        actor, audit.Action.UPDATE, case, changes={"anonymised": [False, True]}, reason=reason
    )
    audit.record(actor, audit.Action.UPDATE, case.person, changes={"anonymised": [False, True]})
    return case


@transaction.atomic
def case_anonymise(
    *, actor: AbstractBaseUser, case_id: int, confirmation: str, today: date | None = None
) -> Case:
    """A supervisor anonymises a course past retention, confirming with its reference.
    Irreversible."""
    if not actor.has_perm(PERM):
        raise PermissionDenied
    reference = Case.objects.values_list("reference", flat=True).get(pk=case_id)
    if confirmation.strip() != reference:
        raise Refused(_("Type the case reference exactly as shown to confirm."))
    return anonymise_due_course(
        actor=actor,
        case_id=case_id,
        reason=_("Anonymised after the retention period"),
        today=today,
    )


@transaction.atomic
def legal_hold_set(
    *, actor: AbstractBaseUser, case_id: int, reason: str, ground: str = LegalHoldGround.OTHER
) -> Case:
    """A supervisor puts a course under a legal hold: it is not listed or anonymised. Its
    ground decides whether it also restricts the person's right of access."""
    if not actor.has_perm(PERM):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise Refused(_("Give the reason for the legal hold."))
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.anonymised_at is not None:
        raise Refused(_("This course is already anonymised."))
    if case.legal_hold:
        raise Refused(_("This course is already under a legal hold."))
    case.legal_hold = True
    case.legal_hold_reason = reason
    case.legal_hold_ground = LegalHoldGround(ground)
    case.version += 1
    case.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_ground", "version"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        case,
        changes={"legal_hold": [False, True], "legal_hold_ground": ["", case.legal_hold_ground]},
        reason=reason,
    )
    return case


@transaction.atomic
def legal_hold_lift(*, actor: AbstractBaseUser, case_id: int, reason: str) -> Case:
    """A supervisor lifts a legal hold, with a reason."""
    if not actor.has_perm(PERM):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise Refused(_("Give the reason for lifting the legal hold."))
    case = Case.objects.select_for_update().get(pk=case_id)
    if not case.legal_hold:
        raise Refused(_("This course is not under a legal hold."))
    case.legal_hold = False
    case.legal_hold_reason = ""
    case.legal_hold_ground = ""
    case.version += 1
    case.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_ground", "version"])
    audit.record(
        actor, audit.Action.UPDATE, case, changes={"legal_hold": [True, False]}, reason=reason
    )
    return case


def _notify(references: list[str]) -> int:
    """Tell the supervisors, by reference only (mail leaves the system)."""
    supervisors = (
        User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("CMM: %(n)s courses have passed the retention period") % {"n": len(references)}
        body = "\n".join(
            [
                _("These courses are now past the retention period and await your review:"),
                *(f"  {ref}" for ref in references),
                "",
                _("Review them under “To be anonymised”: %(path)s")
                % {"path": reverse("cases:retention")},
            ]
        )
    sent = 0
    for user in supervisors:
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


def retention_check(today: date | None = None) -> RetentionCheck:
    """The nightly check: record which courses are past retention, and tell the
    supervisors about those not on the previous night's list. The supervisors' page lists
    the courses live; this leaves a trace of when the list was last checked."""
    references = list(due_courses(today).values_list("reference", flat=True))
    previous = RetentionCheck.objects.first()
    known = set(previous.references) if previous else set()
    new = [ref for ref in references if ref not in known]
    check = RetentionCheck.objects.create(
        cutoff=retention_cutoff(today), references=references, notified=0
    )
    if new:
        check.notified = _notify(new)
        check.save(update_fields=["notified"])
    logger.info("Retention check: %s courses past retention, %s new", len(references), len(new))
    return check
