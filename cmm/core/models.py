from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReferenceSequence(models.Model):
    """The last number handed out for a reference prefix and year (e.g. I-2026-00042)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


def next_reference(prefix: str, year: int) -> str:
    """The next free reference, safe under concurrent callers (the row is locked)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
        except IntegrityError:
            pass  # another transaction created the row first; lock it below
        seq = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
    return f"{prefix}-{year}-{seq.last:05d}"


class UserSession(models.Model):
    """A session key a user logged in with, so all of that user's sessions can be ended on
    the server when the account is deactivated, its password changes or its second factor
    is reset (ASVS 7.4). Django's session table cannot be searched by user."""

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="cmm_sessions", editable=False
    )
    session_key = models.CharField(max_length=40, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_key[:6]}…"


class Draft(models.Model):
    """What a user had typed into a form page when their session was about to end.

    Kept on the server, never in the browser (a shared workstation must not keep a victim's
    account in local storage), readable only by its owner, gone once restored, and deleted
    by the nightly clean-up after a day.
    """

    owner = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    path = models.CharField(_("page"), max_length=300)
    fields = models.JSONField(_("fields"), default=dict)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [models.UniqueConstraint(fields=["owner", "path"], name="one_draft_per_page")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.path}"
