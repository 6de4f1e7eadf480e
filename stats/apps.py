from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """The statistics CMM publishes (top floor: reads inquiries, courses and returns).

    Named `stats`, not `statistics`: a top-level package of that name would shadow the
    standard library's `statistics` for every module in the process.
    """

    name = "stats"
    verbose_name = _("Statistics")
