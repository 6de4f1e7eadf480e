"""The audit trail (revisionsspor): who did what to which record, and when."""

import contextlib
import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event, other than redacting it."""


# The only columns a redaction may change; every other column is fixed once written. The
# reason (free text typed with a transition or a legal hold) may only become the marker.
REDACTABLE = ("changes", "reason", "redacted_at")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AuditEvent(models.Model):
    """One append-only line of the audit trail.

    Written by services in the same database transaction as the action it records, never
    through a queue, so an action and its trace commit or vanish together.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        TRANSITION = "transition", _("State changed")
        VIEW = "view", _("Viewed")
        SEARCH = "search", _("Searched")
        EXPORT = "export", _("Downloaded")
        LOGIN_FAILED = "login_failed", _("Failed login")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The partner system that acted through the API (its reference, "API-3"); the actor is
    # then the client's account, which no person can log in as.
    client = models.CharField(_("API client"), max_length=32, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    # Empty for events about no single record, such as a search.
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    # A reference such as "I-2026-00042", never a person's name.
    object_ref = models.CharField(_("record"), max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    transition = models.CharField(_("transition"), max_length=64, blank=True)
    from_state = models.CharField(_("from"), max_length=64, blank=True)
    to_state = models.CharField(_("to"), max_length=64, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Set once, when anonymisation replaced the personal data in `changes` (and the free
    # text of `reason`) with a marker; the database allows no other change to an event,
    # and no second redaction.
    redacted_at = models.DateTimeField(_("redacted"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["object_ref", "at"]),
            # Timelines take the events of a record and of everything under it
            # ("C-2026-00042/…", a LIKE prefix): with a collation other than C only an
            # index in pattern order serves that, instead of reading the whole trail.
            models.Index(
                fields=["object_ref"],
                name="audit_object_ref_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_ref or self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            self._check_redaction()
            kwargs["update_fields"] = REDACTABLE
        super().save(*args, **kwargs)

    def _check_redaction(self) -> None:
        """The one change allowed (the database trigger enforces the same): a first
        redaction, which sets `redacted_at`, may rewrite `changes` and may replace `reason`
        with the marker, nothing else."""
        from cmm.audit.personal import REDACTED

        stored = type(self).objects.filter(pk=self.pk).first()
        if stored is None or stored.redacted_at is not None or self.redacted_at is None:
            raise AppendOnlyError("Audit events cannot be changed.")
        if self.reason not in (stored.reason, REDACTED):
            raise AppendOnlyError("Audit events cannot be changed.")
        for field in self._meta.concrete_fields:
            if field.name in REDACTABLE:
                continue
            if field.value_from_object(self) != field.value_from_object(stored):
                raise AppendOnlyError("Audit events cannot be changed.")

    def changed_fields(self) -> list[tuple[str, bool]]:
        """The fields this event changed (by their label where known), each with whether
        its values are withheld as personal data, for the review page."""
        from cmm.audit.personal import REDACTED

        # Nested snapshots (a removed record's fields) count as withheld too.
        if self.action in (self.Action.SEARCH, self.Action.EXPORT, self.Action.LOGIN_FAILED):
            return []
        model = self.content_type.model_class() if self.content_type_id else None
        fields = []
        for name, value in self.changes.items():
            label = name
            if model is not None:
                with contextlib.suppress(FieldDoesNotExist):
                    label = str(model._meta.get_field(name).verbose_name)
            fields.append((label, REDACTED in json.dumps(value, default=str)))
        return fields

    @property
    def reason_redacted(self) -> bool:
        """Whether the reason given was free text erased at anonymisation."""
        from cmm.audit.personal import REDACTED

        return self.reason == REDACTED

    @property
    def query_redacted(self) -> bool:
        """Whether this search's query was redacted at anonymisation."""
        from cmm.audit.personal import REDACTED

        return self.action == self.Action.SEARCH and self.changes.get("query") == REDACTED

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
