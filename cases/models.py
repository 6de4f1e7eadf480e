"""Persons and their courses (forløb) with CMM (domain.md §2-9).

Minimal for now: hotline referral opens a course awaiting assignment. The identification
issue deepens persons, the state machine, interviews and assessment.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cmm.core.codes import Gender, nationality_choices


class Person(models.Model):
    """A person who may be, or has been assessed as, trafficked (a possible victim)."""

    alias = models.CharField(_("name or alias"), max_length=200)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    age = models.PositiveSmallIntegerField(_("age when referred"), null=True, blank=True)
    age_is_estimate = models.BooleanField(_("age is an estimate"), default=False)
    nationality = models.CharField(
        _("nationality"), max_length=16, choices=nationality_choices, blank=True
    )
    language = models.CharField(_("language"), max_length=100, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"P{self.pk}"

    @property
    def reference(self) -> str:
        return f"P{self.pk}"

    @property
    def is_minor(self) -> bool:
        return self.age is not None and self.age < 18


class CaseState(models.TextChoices):
    AWAITING_ASSIGNMENT = "awaiting_assignment", _("Awaiting assignment")


class Case(ConcurrentTransitionMixin, models.Model):
    """A person's course (forløb) with CMM, from referral to its end.

    States so far: awaiting assignment (afventer fordeling).
    """

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    state = FSMField(
        _("state"),
        max_length=32,
        choices=CaseState.choices,
        default=CaseState.AWAITING_ASSIGNMENT,
        protected=True,
        db_index=True,
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True, db_index=True)
    is_urgent = models.BooleanField(_("urgent"), default=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case permissions of a user (direct foreign key: fast permission-filtered lists)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
