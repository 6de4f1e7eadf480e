from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionCheck(models.Model):
    """One run of the nightly retention check: which courses were past retention then.

    References only, never a name. The supervisors' page shows the latest run, and the
    next run tells supervisors only about courses that were not on the previous list.
    """

    ran_at = models.DateTimeField(_("checked at"), auto_now_add=True, db_index=True)
    cutoff = models.DateField(_("ended on or before"))
    references = models.JSONField(_("courses past retention"), default=list)
    notified = models.PositiveIntegerField(_("supervisors notified"), default=0)

    class Meta:
        verbose_name = _("retention check")
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {len(self.references)}"
