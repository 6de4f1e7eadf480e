from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """How long a course is kept, its anonymisation and legal holds (top floor: erases
    what every lower app stores about a person)."""

    name = "retention"
    verbose_name = _("Retention of records")
