"""What the API accepts and answers. Choices come from the models' own code lists."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.models import Outcome
from cmm.core.codes import ExploitationForm, Gender, nationality_choices
from referrals.models import Subject, Urgency, urgency_errors


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know: a misspelt field is an error, not silently lost."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {
            name: [serializers.ErrorDetail(_("Unknown field."), code="unknown_field")]
            for name in unknown
        }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Every field's error at once, the unknown ones among them.
            if not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError({**exc.detail, **errors}) from exc
        if errors:
            raise serializers.ValidationError(errors)
        return value


class PersonSerializer(StrictSerializer):
    alias = serializers.CharField(max_length=200, help_text="Name or alias.")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    age_is_estimate = serializers.BooleanField(required=False, default=False)
    nationality = serializers.ChoiceField(
        choices=[code for code, _label in nationality_choices()],
        required=False,
        allow_blank=True,
        help_text="ISO 3166 code.",
    )
    language = serializers.CharField(max_length=100, required=False, allow_blank=True)
    interpreter_needed = serializers.BooleanField(required=False, allow_null=True, default=None)
    whereabouts = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # The API speaks the code list's statistics categories, which are fixed: a partner's
    # system is built against the published schema; CMM's own finer codes are for its forms.
    suspected_exploitation = serializers.ChoiceField(
        choices=ExploitationForm.choices, required=False, allow_blank=True
    )


class InquirySubmitSerializer(StrictSerializer):
    subject = serializers.ChoiceField(choices=Subject.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default="none")
    urgent_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day of a planned police action."
    )
    caller_contact = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Who at the partner CMM calls back (name, telephone).",
    )
    summary = serializers.CharField(max_length=10000)
    persons = PersonSerializer(many=True, required=False, max_length=50, default=list)

    def validate(self, attrs: dict) -> dict:
        errors = urgency_errors(attrs.get("urgency", Urgency.NONE), attrs.get("urgent_on"))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class InquiryCreatedSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="CMM's reference of the inquiry.")


class InquiryStatusSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["received", "triaged", "referred", "linked", "closed"]
    )
    outcome = serializers.CharField(
        allow_null=True, help_text="The reason code an inquiry was closed with."
    )


class DecisionSubmitSerializer(StrictSerializer):
    case_reference = serializers.CharField(
        max_length=32, help_text="The case reference CMM gave in its interview report."
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    decided_on = serializers.DateField()
    exploitation_form = serializers.ChoiceField(
        choices=ExploitationForm.choices, required=False, allow_blank=True
    )

    def validate_decided_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(
                _("The decision date cannot be in the future."), code="future"
            )
        return value


class DecisionRecordedSerializer(serializers.Serializer):
    case_reference = serializers.CharField()
    outcome = serializers.CharField()


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)
