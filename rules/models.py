"""Dated versions of the rules (regelsæt)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RuleVersion(models.Model):
    """A version of the mechanism's rules (regelsæt), in force from `effective_from` until
    the next approved version's date.

    A supervisor proposes it and another supervisor approves it; an approved version is
    never edited (one in force or past governs the records of its dates), only succeeded
    by a later one. A version loaded from a rule file by an operator is approved as loaded.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting a second supervisor's approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    effective_from = models.DateField(_("in force from"))
    values = models.JSONField(_("values"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    # Where the version came from: the proposal page, a rule file, the initial data.
    source = models.CharField(_("source"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)

    class Meta:
        verbose_name = _("version of the rules")
        ordering = ["-effective_from", "-id"]
        default_permissions = ("view",)
        permissions = [
            ("propose_ruleversion", "Can propose a version of the rules"),
            ("approve_ruleversion", "Can approve another's proposed version of the rules"),
        ]
        constraints = [
            # Exactly one version in force on any date.
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=Q(status="approved"),
                name="one_approved_version_per_date",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"RULES-{self.pk}"
