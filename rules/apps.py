from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """The referral mechanism's rules as dated data: periods, grant caps, who decides,
    queue limits, the working-day calendar and the code lists (the floor above the core:
    every course's app reads its rules here, at the date each rule applies at)."""

    name = "rules"
    verbose_name = _("Rules of the mechanism")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_initial_rules, sender=self)


def _initial_rules(sender, apps=None, **kwargs) -> None:
    """A database flushed by a test has lost the initial data migration's version: put it
    back, so that some rules are always in force."""
    from importlib import import_module

    from django.apps import apps as global_apps

    initial = import_module("rules.migrations.0002_danish_rules")
    initial.create(apps or global_apps, None)
    import_module("rules.migrations.0003_code_lists").fill(apps or global_apps, None)
