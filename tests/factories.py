"""Test data through the same services the application uses, so audit events exist too."""

from typing import Any

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

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
        services.inquiry_refer(actor=actor, inquiry_id=inquiry.pk, version=inquiry.version)
    elif state == "closed":
        services.inquiry_close(
            actor=actor, inquiry_id=inquiry.pk, version=inquiry.version, reason="advice_given"
        )
    inquiry.refresh_from_db()
    return inquiry
