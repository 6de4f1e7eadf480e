from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepatriationConfig(AppConfig):
    name = "repatriation"
    verbose_name = _("Prepared return")

    def ready(self) -> None:
        from repatriation import plugins

        plugins.register()
