from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "cmm.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        user_login_failed.connect(_record_failed_login, dispatch_uid="audit-failed-login")


def _record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    from cmm.audit.models import AuditEvent

    # The username tried, never the password; the address for the lockout review.
    AuditEvent.objects.create(
        action=AuditEvent.Action.LOGIN_FAILED,
        changes={
            "username": str(credentials.get("username", ""))[:150],
            "address": request.META.get("REMOTE_ADDR", "") if request is not None else "",
        },
    )
