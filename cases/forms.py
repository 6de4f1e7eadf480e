from django import forms
from django.contrib.auth.models import User
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    AssessingAuthority,
    ConsentKind,
    CriminalKind,
    ExtensionReason,
    FiledBy,
    Interview,
    NotFiledReason,
    Outcome,
    Person,
    Provision,
    ServiceKind,
    SexualKind,
)
from cases.models.case import DIRECT_END_STATUSES
from cases.models.interview import INDICATORS
from cases.models.support import POLICE_DISTRICTS, MinorPlacement
from cases.services import INTERVIEW_FIELDS, birth_date_from_age
from cmm.core.codes import ExploitationForm, nationality_choices
from cmm.core.forms import DkfdsFormMixin
from cmm.core.roles import Role
from rules import codes
from rules.codes import CodeField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _choices(choices):
    return [("", "---------"), *choices]


class VersionForm(DkfdsFormMixin, forms.Form):
    """Carries the version of the case the user saw, so a stale page cannot act."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class PersonForm(DkfdsFormMixin, forms.ModelForm):
    aliases_text = forms.CharField(
        label=_("Aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("Only when the date of birth is unknown."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "birth_date",
            "declared_minor",
            "unaccompanied_minor",
            "nationality",
            "languages",
            "interpreter_needed",
            "residence_status",
            "phone",
            "email",
            "address",
        ]
        widgets = {
            "birth_date": DATE,
            "interpreter_needed": forms.NullBooleanSelect,
            "address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        person = self.instance
        if not self.is_bound:
            self.initial["aliases_text"] = "\n".join(person.aliases)
            if person.birth_date_is_estimate:
                self.initial["birth_date"] = None
                self.initial["estimated_age"] = person.age()

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("A date of birth cannot be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        birth_date, age = cleaned.get("birth_date"), cleaned.get("estimated_age")
        if birth_date and age is not None:
            self.add_error("estimated_age", _("Give either a date of birth or an age, not both."))
        elif birth_date:
            cleaned["birth_date_is_estimate"] = False
        elif age is not None:
            cleaned["birth_date"] = birth_date_from_age(age)
            cleaned["birth_date_is_estimate"] = True
        else:
            cleaned["birth_date_is_estimate"] = False
        cleaned["aliases"] = [
            line.strip() for line in cleaned.get("aliases_text", "").splitlines() if line.strip()
        ]
        return cleaned


def contact_persons():
    return User.objects.filter(groups__name=Role.CONTACT_PERSON, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(VersionForm):
    contact_person = UserChoiceField(label=_("Contact person"), queryset=User.objects.none())
    deputy = UserChoiceField(label=_("Deputy"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = contact_persons()
        self.fields["deputy"].queryset = contact_persons()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("deputy") and cleaned.get("deputy") == cleaned.get("contact_person"):
            self.add_error("deputy", _("The deputy must be someone other than the contact person."))
        return cleaned


class LinkPersonForm(VersionForm):
    person = forms.IntegerField(widget=forms.HiddenInput)


class InterviewForm(DkfdsFormMixin, forms.ModelForm):
    held_at = forms.DateTimeField(
        label=_("Held at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators of trafficking"),
        choices=INDICATORS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Interview
        fields = list(INTERVIEW_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = forms.ModelMultipleChoiceField(
            label=_("Interviewers"),
            queryset=User.objects.filter(
                groups__name__in=[Role.CONTACT_PERSON, Role.SUPERVISOR], is_active=True
            )
            .distinct()
            .order_by("first_name", "username"),
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        )
        field.label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["interviewers"] = field

    def clean_held_at(self):
        value = self.cleaned_data["held_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("An interview cannot be recorded before it is held."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("interpreter") and not cleaned.get("interpreter_language"):
            self.add_error("interpreter_language", _("Give the language interpreted."))
        return cleaned


class SendForm(VersionForm):
    authority = forms.ChoiceField(
        label=_("Assessing authority"), choices=_choices(AssessingAuthority.choices)
    )
    override_reason = forms.CharField(
        label=_("Reason for another authority"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the authority differs from what the residence status says."),
    )
    sent_on = forms.DateField(
        label=_("Report sent on"),
        required=False,
        widget=DATE,
        help_text=_("For the Immigration Service or a court."),
    )


class AssessmentForm(VersionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=_choices(Outcome.choices))
    decided_on = forms.DateField(label=_("Decision date"), widget=DATE)
    decision_received_on = forms.DateField(
        label=_("Decision received on"), widget=DATE, required=False
    )
    contact_actor = CodeField(
        "contact_actor",
        label=_("Contact-creating actor"),
        required=False,
        help_text=_("Who first made contact with the person."),
    )
    exploitation_form = CodeField(
        "exploitation_form", label=_("Form of exploitation"), required=False
    )
    sexual_kind = forms.ChoiceField(
        label=_("Kind of sexual exploitation"), choices=_choices(SexualKind.choices), required=False
    )
    forced_labour_industry = CodeField("industry", label=_("Industry"), required=False)
    criminal_kinds = forms.MultipleChoiceField(
        label=_("Criminal acts"),
        choices=CriminalKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exploitation_country = forms.ChoiceField(
        label=_("Country of exploitation"), choices=_choices(nationality_choices()), required=False
    )
    exploitation_from = forms.DateField(label=_("Exploited from"), widget=DATE, required=False)
    exploitation_to = forms.DateField(label=_("Exploited until"), widget=DATE, required=False)

    def clean(self):
        cleaned = super().clean()
        # A code counts under a form's category: its details are that category's.
        form = codes.category("exploitation_form", cleaned.get("exploitation_form") or "")
        if cleaned.get("outcome") == Outcome.TRAFFICKED:
            for field in ("contact_actor", "exploitation_form"):
                if not cleaned.get(field):
                    self.add_error(field, _("Needed when the person is assessed as trafficked."))
        details = {
            "sexual_kind": ExploitationForm.SEXUAL,
            "forced_labour_industry": ExploitationForm.FORCED_LABOUR,
            "criminal_kinds": ExploitationForm.CRIMINAL,
        }
        for field, wanted in details.items():
            if form == wanted and not cleaned.get(field):
                self.add_error(field, _("Give the detail of this form of exploitation."))
            if form != wanted and cleaned.get(field):
                self.add_error(field, _("Only for the matching form of exploitation."))
        start, end = cleaned.get("exploitation_from"), cleaned.get("exploitation_to")
        if start and end and end < start:
            self.add_error("exploitation_to", _("The end cannot be before the start."))
        decided, received = cleaned.get("decided_on"), cleaned.get("decision_received_on")
        if decided and decided > timezone.localdate():
            self.add_error("decided_on", _("The decision date cannot be in the future."))
        if decided and received and received < decided:
            self.add_error("decision_received_on", _("A decision cannot arrive before it is made."))
        if cleaned.get("criminal_kinds"):
            cleaned["criminal_kinds"] = sorted(cleaned["criminal_kinds"])
        return cleaned


class NoteForm(DkfdsFormMixin, forms.Form):
    text = forms.CharField(label=_("New journal note"), widget=forms.Textarea(attrs={"rows": 4}))
    corrects = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ConsentForm(DkfdsFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Consent to"), choices=_choices(ConsentKind.choices))
    given = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Given")), ("no", _("Withdrawn or refused"))],
        coerce=lambda v: v == "yes",
    )
    given_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)

    def clean_given_on(self):
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A consent cannot be dated in the future."))
        return value


# Support during the reflection period -------------------------------------------------

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes(value: str) -> bool:
    return value == "yes"


class OfferForm(VersionForm):
    accepted = forms.TypedChoiceField(
        label=_("The person's answer"),
        choices=[("yes", _("Accepts the offer")), ("no", _("Declines the offer"))],
        coerce=_yes,
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)


class EndForm(VersionForm):
    status = forms.ChoiceField(
        label=_("How the course ended"),
        choices=_choices([(s.value, s.label) for s in DIRECT_END_STATUSES]),
    )
    on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReflectionStartForm(VersionForm):
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, initial=timezone.localdate)
    granted_by = forms.ChoiceField(
        label=_("Granted by"),
        choices=[
            (AssessingAuthority.CMM, AssessingAuthority.CMM.label),
            (AssessingAuthority.IMMIGRATION_SERVICE, AssessingAuthority.IMMIGRATION_SERVICE.label),
        ],
    )


class ExtensionForm(VersionForm):
    days = forms.IntegerField(label=_("Days"), min_value=1)
    reason = forms.ChoiceField(label=_("Reason"), choices=_choices(ExtensionReason.choices))
    granted_on = forms.DateField(label=_("Granted on"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def for_case(self, case) -> None:
        """The days left and the reasons allowed by the rules the period began under."""
        period = getattr(case, "reflection_period", None)
        if period is None:
            return
        left = period.days_available
        self.fields["days"].validators.append(MaxValueValidator(left))
        self.fields["days"].widget.attrs["max"] = left
        allowed = period.rules.extension_reasons
        self.fields["reason"].choices = _choices(
            [c for c in ExtensionReason.choices if c[0] in allowed]
        )


class ExtensionDecisionForm(DkfdsFormMixin, forms.Form):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(choices=YES_NO, coerce=_yes, widget=forms.HiddenInput)


class PlacementForm(VersionForm):
    housing_type = CodeField("housing_type", label=_("Type"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("From"), widget=DATE, initial=timezone.localdate)
    ends_on = forms.DateField(label=_("Until"), widget=DATE, required=False)
    end_reason = CodeField("placement_end_reason", label=_("Reason it ended"), required=False)


class PlacementEndForm(VersionForm):
    placement = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label=_("Ended on"), widget=DATE, initial=timezone.localdate)
    reason = CodeField("placement_end_reason", label=_("Reason it ended"))


class ServiceForm(VersionForm):
    kind = forms.ChoiceField(label=_("Service"), choices=_choices(ServiceKind.choices))
    given_on = forms.DateField(label=_("From"), widget=DATE, initial=timezone.localdate)
    until = forms.DateField(label=_("Until"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MinorCareForm(VersionForm):
    representative = forms.CharField(
        label=_("Personal representative"), max_length=200, required=False
    )
    representative_contact = forms.CharField(
        label=_("Representative's contact"), max_length=200, required=False
    )
    municipality = forms.CharField(
        label=_("Responsible municipality"), max_length=100, required=False
    )
    placement = forms.ChoiceField(
        label=_("Care placement"), choices=_choices(MinorPlacement.choices), required=False
    )


class PoliceReportForm(VersionForm):
    filed = forms.TypedChoiceField(
        label=_("Was a report filed?"),
        choices=[("yes", _("Filed")), ("no", _("Not filed"))],
        coerce=_yes,
        widget=forms.RadioSelect,
    )
    filed_by = forms.ChoiceField(
        label=_("Filed by"), choices=_choices(FiledBy.choices), required=False
    )
    provisions = forms.MultipleChoiceField(
        label=_("Provisions"),
        choices=Provision.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    police_district = forms.ChoiceField(
        label=_("Police district"),
        choices=_choices([(d, d) for d in POLICE_DISTRICTS]),
        required=False,
    )
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE, required=False)
    not_filed_reason = forms.ChoiceField(
        label=_("Reason not filed"), choices=_choices(NotFiledReason.choices), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("filed") is True:
            for field in ("filed_by", "provisions", "police_district", "filed_on"):
                if not cleaned.get(field):
                    self.add_error(field, _("Needed for a filed report."))
            if cleaned.get("not_filed_reason"):
                self.add_error("not_filed_reason", _("Only for a report that was not filed."))
        elif cleaned.get("filed") is False:
            if not cleaned.get("not_filed_reason"):
                self.add_error("not_filed_reason", _("Give the reason the report was not filed."))
            for field in ("filed_by", "provisions", "police_district", "filed_on"):
                if cleaned.get(field):
                    self.add_error(field, _("Only for a filed report."))
        return cleaned


class IdListField(forms.Field):
    """Several record ids from checkboxes; the service checks each exists and may be used."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value or []
        if not all(str(v).isdigit() for v in values):
            raise forms.ValidationError(_("Choose the cases from the list."))
        return [int(v) for v in values]


class BulkReassignForm(forms.Form):
    cases = IdListField()
    contact_person = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = contact_persons()
