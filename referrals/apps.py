from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Hotline and inquiries")

    def ready(self) -> None:
        from referrals import plugins

        plugins.register()
