from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The partner interface: API clients, their keys and the JSON API under /api/v1/ (top
    floor but the URLs: it drives the inquiries', the courses' and the statistics' services
    for systems of other authorities)."""

    name = "api"
    verbose_name = _("Partner interface")
