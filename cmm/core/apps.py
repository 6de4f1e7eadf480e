from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cmm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cmm.core import sessions  # noqa: F401 - connects the login clock

        post_migrate.connect(_sync_roles, sender=self)


def _sync_roles(sender, apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps

    from cmm.core.roles import sync_role_groups

    # A test flush sends no app registry: the current models are the ones to use.
    sync_role_groups(apps or global_apps)
