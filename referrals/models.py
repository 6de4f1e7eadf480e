"""Inquiries (henvendelser) to CMM and the persons they concern (domain.md §1)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cmm.core.codes import (
    Gender,
    country_display,
    nationality_choices,
)
from cmm.core.names import name_key
from rules import codes
from rules.codes import CodeValidator


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    # Submitted by a partner's system through the partner API.
    API = "api", _("Partner system (API)")
    OTHER = "other", _("Other")


class Subject(models.TextChoices):
    POSSIBLE_VICTIM = "possible_victim", _("Possible victim")
    EXISTING_CASE = "existing_case", _("Existing case")
    POLICE_ACTION = "police_action", _("Planned police action")
    ADVICE = "advice", _("Advice")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NONE = "none", _("Not urgent")
    CUSTODY = "custody", _("Person in police custody")
    POLICE_ACTION = "police_action", _("Planned police action")


class CloseReason(models.TextChoices):
    NO_INDICATORS = "no_indicators", _("No indicators of trafficking")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    ADVICE_GIVEN = "advice_given", _("Advice given")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class InquiryState(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Triaged")
    REFERRED = "referred", _("Referred for identification")
    LINKED = "linked", _("Linked to an existing case")
    CLOSED = "closed", _("Closed")


OPEN_STATES = (InquiryState.RECEIVED, InquiryState.TRIAGED)


def urgency_errors(urgency: str, urgent_on) -> dict[str, str]:
    """What is wrong with an inquiry's urgency and its date, by field: one rule for the
    hotline's form and the partner API."""
    if urgency == Urgency.POLICE_ACTION and not urgent_on:
        return {"urgent_on": _("Give the date of the planned police action.")}
    if urgency != Urgency.POLICE_ACTION and urgent_on:
        return {
            "urgent_on": _("Leave the date empty unless the urgency is a planned police action.")
        }
    return {}


def has_persons(inquiry: "Inquiry") -> bool:
    return inquiry.persons.exists()


class Inquiry(ConcurrentTransitionMixin, models.Model):
    """An inquiry (henvendelse): one contact with CMM about a possible trafficking situation.

    States: received (modtaget) → triaged (visiteret) → referred for identification
    (henvist til udredning) | linked to an existing case (knyttet til eksisterende sag) |
    closed (afsluttet).
    """

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    caller_type = models.CharField(
        _("who contacts CMM"), max_length=32, validators=[CodeValidator("contact_actor")]
    )
    caller_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    caller_contact = models.CharField(_("caller's contact details"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=32, choices=Subject.choices)
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NONE
    )
    urgent_on = models.DateField(
        _("date of the police action"),
        null=True,
        blank=True,
        help_text=_("The day staff must be on standby."),
    )
    summary = models.TextField(_("summary"))

    state = FSMField(
        _("state"),
        max_length=16,
        choices=InquiryState.choices,
        default=InquiryState.RECEIVED,
        protected=True,
        db_index=True,
    )
    triage_note = models.TextField(_("triage note"), blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=32, choices=CloseReason.choices, blank=True
    )
    linked_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("linked case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_inquiries",
    )
    # Retention (retention/services.py): an inquiry closed without becoming a course is
    # erased CMM_INQUIRY_RETENTION_MONTHS after `closed_at` unless a legal hold keeps it.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.TextField(_("reason for the legal hold"), blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # Bumped by every edit and transition: a form holding an older version is stale.
    version = models.PositiveIntegerField(default=1)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    get_caller_type_display = codes.display("caller_type", "contact_actor")

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("triage_inquiry", "Can triage an inquiry"),
            ("refer_inquiry", "Can refer an inquiry for identification"),
            ("link_inquiry", "Can link an inquiry to an existing case"),
            ("close_inquiry", "Can close an inquiry"),
        ]
        indexes = [
            models.Index(fields=["state", "received_at"]),
            # Search finds an inquiry by its reference whatever the case typed.
            models.Index(Upper("reference"), name="inquiry_reference_upper"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_urgent(self) -> bool:
        return self.urgency != Urgency.NONE

    # Transitions: bodies only set fields; services lock, check, save and audit.

    @transition(
        field=state,
        source=InquiryState.RECEIVED,
        target=InquiryState.TRIAGED,
        permission="referrals.triage_inquiry",
    )
    def triage(self, note: str = "") -> None:
        """Triage (visitering): someone has read the inquiry and judged what it needs."""
        self.triage_note = note

    @transition(
        field=state,
        source=InquiryState.TRIAGED,
        target=InquiryState.REFERRED,
        permission="referrals.refer_inquiry",
        conditions=[has_persons],
        custom={"refused": _("Register at least one person concerned before referring.")},
    )
    def refer(self) -> None:
        """Refer the persons concerned for identification; the service opens their cases."""

    @transition(
        field=state,
        source=InquiryState.TRIAGED,
        target=InquiryState.LINKED,
        permission="referrals.link_inquiry",
    )
    def link(self, case) -> None:
        """A follow-up on a case CMM already has."""
        self.linked_case = case

    @transition(
        field=state,
        source=InquiryState.TRIAGED,
        target=InquiryState.CLOSED,
        permission="referrals.close_inquiry",
    )
    def close(self, reason_code: str) -> None:
        self.close_reason = reason_code
        # The retention period of an inquiry that never became a course runs from here.
        self.closed_at = timezone.now()


class InquiryPerson(models.Model):
    """What the caller knows of one person the inquiry concerns."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="persons")
    alias = models.CharField(_("name or alias"), max_length=200)
    # Accent- and case-free tokens of the alias, for search (as Person.name_key).
    alias_key = models.TextField(editable=False, blank=True, default="")
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    age_is_estimate = models.BooleanField(_("age is an estimate"), default=False)
    nationality = models.CharField(
        _("nationality"), max_length=16, choices=nationality_choices, blank=True
    )
    language = models.CharField(_("language"), max_length=100, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), null=True, blank=True)
    whereabouts = models.CharField(_("whereabouts"), max_length=200, blank=True)
    suspected_exploitation = models.CharField(
        _("suspected exploitation"),
        max_length=32,
        validators=[CodeValidator("exploitation_form")],
        blank=True,
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiry_persons",
    )

    get_nationality_display = country_display("nationality")
    get_suspected_exploitation_display = codes.display(
        "suspected_exploitation", "exploitation_form"
    )

    class Meta:
        verbose_name = _("person concerned")
        verbose_name_plural = _("persons concerned")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.inquiry.reference} #{self.pk}"

    def save(self, *args, **kwargs) -> None:
        self.alias_key = name_key(self.alias)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "alias_key"}
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        # Audit events name the inquiry, never the person's alias.
        return f"{self.inquiry.reference}/P{self.pk}"
