"""Test data through the same services the application uses, so audit events exist too."""

from datetime import date, timedelta
from typing import Any

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from cases.services import inquiry_refer
from referrals import services
from referrals.models import Inquiry


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


def inquiry_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "received_at": timezone.now(),
        "channel": "hotline",
        "caller_type": "police",
        "caller_organisation": "Midt- og Vestsjællands Politi",
        "caller_contact": "vagtchef",
        "subject": "possible_victim",
        "urgency": "none",
        "urgent_on": None,
        "summary": "Syntetisk testhenvendelse.",
    }
    data.update(overrides)
    return data


def person_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "alias": "Testperson",
        "gender": "woman",
        "age": 24,
        "age_is_estimate": True,
        "nationality": "NG",
        "language": "engelsk",
        "interpreter_needed": True,
        "whereabouts": "",
        "suspected_exploitation": "sexual",
    }
    data.update(overrides)
    return data


def make_inquiry(actor: User, *, persons: int = 1, state: str = "received", **fields) -> Inquiry:
    """An inquiry brought to `state` through the real services."""
    inquiry = services.inquiry_create(
        actor=actor,
        data=inquiry_data(**fields),
        persons=[person_data(alias=f"Testperson {i + 1}") for i in range(persons)],
    )
    if state == "received":
        return inquiry
    inquiry = services.inquiry_triage(actor=actor, inquiry_id=inquiry.pk, version=inquiry.version)
    if state == "referred":
        inquiry_refer(actor=actor, inquiry_id=inquiry.pk, version=inquiry.version)
    elif state == "closed":
        services.inquiry_close(
            actor=actor, inquiry_id=inquiry.pk, version=inquiry.version, reason="advice_given"
        )
    inquiry.refresh_from_db()
    return inquiry


def referred_case(actor: User, **fields):
    """A case opened by referring a one-person inquiry, awaiting assignment."""
    return make_inquiry(actor, state="referred", **fields).persons.get().case


def interview_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "held_at": timezone.now() - timedelta(hours=2),
        "place": "CMM, København",
        "interpreter": "Tolk A",
        "interpreter_language": "engelsk",
        "indicators": ["deceived", "debt", "documents_withheld"],
        "trafficker_ties": True,
        "debt_demanded": True,
        "threatened": False,
        "notes": "Syntetisk samtale.",
        "recommendation": "trafficked",
    }
    data.update(overrides)
    return data


def case_in(
    state: str,
    *,
    hotline: User,
    supervisor: User,
    contact: User,
    residence: str = "no_legal_residence",
):
    """A case brought to `state` through the real services, with `contact` assigned
    ("in_support": assessed as trafficked, and the person accepted the offer today)."""
    from cases import services as case_services
    from cases.models import Case

    case = referred_case(hotline)
    if state == "awaiting_assignment":
        return case
    case_services.person_update(
        actor=supervisor,
        case_id=case.pk,
        version=case.version,
        data={"residence_status": residence},
    )
    case.refresh_from_db()
    case_services.case_assign(
        actor=supervisor, case_id=case.pk, version=case.version, contact_person=contact
    )
    case.refresh_from_db()
    if state == "awaiting_interview":
        return case
    case_services.interview_record(
        actor=contact,
        case_id=case.pk,
        version=case.version,
        data=interview_data(),
        interviewers=[contact],
    )
    case.refresh_from_db()
    if state == "interviewing":
        return case
    authority = "cmm" if residence == "legal_residence" else "immigration_service"
    case_services.case_send_for_assessment(
        actor=contact,
        case_id=case.pk,
        version=case.version,
        authority=authority,
        sent_on=timezone.localdate() - timedelta(days=10),
    )
    case.refresh_from_db()
    if state in ("awaiting_cmm_assessment", "report_sent_to_immigration_service"):
        return case
    case_services.case_record_assessment(
        actor=contact,
        case_id=case.pk,
        version=case.version,
        data=assessment_data(
            outcome="not_trafficked" if state == "assessed_not_trafficked" else "trafficked"
        ),
    )
    if state == "in_support":
        case_services.case_answer_offer(
            actor=contact,
            case_id=case.pk,
            version=Case.objects.get(pk=case.pk).version,
            accepted=True,
            on=timezone.localdate(),
        )
    return Case.objects.get(pk=case.pk)


def assessment_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "outcome": "trafficked",
        "decided_on": timezone.localdate(),
        "decision_received_on": None,
        "contact_actor": "police",
        "exploitation_form": "criminal",
        "sexual_kind": "",
        "forced_labour_industry": "",
        "criminal_kinds": ["drug_sales", "theft"],
        "exploitation_country": "DK",
        "exploitation_from": None,
        "exploitation_to": None,
    }
    data.update(overrides)
    return data


def decided_earlier(case, day: date):
    """The course as if its decision had been made on `day`: a reflection period begins on
    or after the decision, so a test of a period begun before today needs an earlier one."""
    from cases.models import Assessment, Case

    Assessment.objects.filter(case=case).update(decided_on=day)
    return Case.objects.get(pk=case.pk)
