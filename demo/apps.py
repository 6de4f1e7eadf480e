from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Synthetic demo data for `make run` (top floor: it goes through every app's
    services, as a user would)."""

    name = "demo"
    verbose_name = _("Demo data")
