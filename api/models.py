"""API clients (samarbejdspartneres systemer), their keys and the answers kept for retries."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import AssessingAuthority
from rules import codes
from rules.codes import CodeValidator


class Scope(models.TextChoices):
    """What a client may do; each is granted explicitly and checked on every request."""

    INQUIRIES_SUBMIT = "inquiries:submit", _("Submit referrals")
    INQUIRIES_STATUS = "inquiries:status", _("Follow own referrals' status")
    DECISIONS_SUBMIT = "decisions:submit", _("Submit decisions on assessments")
    STATISTICS_READ = "statistics:read", _("Read the published statistics")


# A partner decides on assessments only as the authority a case is sent to; CMM decides its
# own in the browser.
DECIDING_AUTHORITIES = [
    (code, label) for code, label in AssessingAuthority.choices if code != AssessingAuthority.CMM
]


class ApiClient(models.Model):
    """A partner's system (samarbejdspartner): the police, the Immigration Service, a court,
    a municipality or an NGO, talking to the API with a key instead of a person logging in.

    Its `account` is a user that can never log in (inactive, no password): the services
    record it as the actor, and the API's permission backend answers for it from the
    client's scopes.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    partner_type = models.CharField(
        _("partner type"), max_length=32, validators=[CodeValidator("contact_actor")]
    )
    authority = models.CharField(
        _("deciding authority"),
        max_length=32,
        choices=DECIDING_AUTHORITIES,
        blank=True,
        help_text=_("Only for a client that submits decisions: the authority it decides as."),
    )
    contact = models.CharField(_("contact"), max_length=200)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_on = models.DateField(_("expires on"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        default_permissions = ()
        permissions = [("manage_apiclient", "Can create, rotate and revoke API clients")]

    def __str__(self) -> str:
        return self.name

    @property
    def reference(self) -> str:
        # Audit events name the client by this, never by its key.
        return f"API-{self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires_on < timezone.localdate()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    get_partner_type_display = codes.display("partner_type", "contact_actor")

    def get_scopes_display(self) -> list[str]:
        return [str(Scope(s).label) for s in self.scopes if s in Scope.values]


class ApiKey(models.Model):
    """One key of a client. Only its hash is stored; rotating revokes the old key."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    # The key's first part, sent in clear with it: finds the row without a scan.
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.client_id}/{self.prefix}"


class IdempotentRequest(models.Model):
    """The first answer to a client's POST with an Idempotency-Key, returned again to a retry
    of the same request instead of doing it twice."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    # Written as a placeholder before the work, so a concurrent retry waits on the key's
    # unique index instead of doing the work beside it; filled in when the work is done.
    status = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}/{self.key}"
