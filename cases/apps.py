from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Persons and cases")

    def ready(self) -> None:
        from cases import plugins

        plugins.register()
