from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cmm.core.codes import Gender, ResidenceStatus, country_display, nationality_choices
from cmm.core.names import name_key

ADULT_AGE = 18


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Person(models.Model):
    """A person who may be, or has been assessed as, trafficked (a possible victim).

    One person may have several courses (cases) over the years: a recurring person
    (genganger).
    """

    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    # Accent- and case-free tokens of the name and every alias, for duplicate search.
    name_key = models.TextField(editable=False, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_is_estimate = models.BooleanField(
        _("date of birth estimated from an age"), default=False
    )
    declared_minor = models.BooleanField(
        _("minor"),
        default=False,
        help_text=_("Only used when no date of birth or age is known."),
    )
    unaccompanied_minor = models.BooleanField(_("unaccompanied minor"), default=False)
    nationality = models.CharField(
        _("nationality"), max_length=16, choices=nationality_choices, blank=True
    )
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), null=True, blank=True)
    residence_status = models.CharField(
        _("residence status"), max_length=32, choices=ResidenceStatus.choices, blank=True
    )
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.TextField(_("address or whereabouts"), blank=True)
    # The person's reference in the system records were imported from, if any.
    source_ref = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the person's identifying data were erased after the retention period
    # (retention/services.py); the date of birth is then reduced to its year.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    get_nationality_display = country_display("nationality")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"],
                condition=~models.Q(source_ref=""),
                name="unique_imported_person",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        self.name_key = name_key(self.name, *self.aliases)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    def age(self, on: date | None = None) -> int | None:
        return age_on(self.birth_date, on or timezone.localdate())

    @property
    def is_minor(self) -> bool:
        return self.minor_on(timezone.localdate())

    def minor_on(self, day: date) -> bool:
        """Derived from the date of birth where known, else the declared flag."""
        age = self.age(day)
        return age < ADULT_AGE if age is not None else self.declared_minor

    @property
    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]

    @property
    def reference(self) -> str:
        return f"P{self.pk}"
