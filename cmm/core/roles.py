"""The roles of domain.md as groups, and the model permissions each role holds.

Case permissions are deliberately absent from the contact person's role: a contact person
gets them per case, through django-guardian, when assigned. Granting them here would open
every case to every contact person.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    CONTACT_PERSON = "contact_person", _("Contact person")
    SUPERVISOR = "supervisor", _("Supervisor")
    STATISTICS = "statistics", _("Statistics")
    ADMINISTRATOR = "administrator", _("Administrator")


_INQUIRY_WORK = [
    "referrals.view_inquiry",
    "referrals.add_inquiry",
    "referrals.change_inquiry",
    "referrals.triage_inquiry",
    "referrals.refer_inquiry",
    "referrals.link_inquiry",
    "referrals.close_inquiry",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.HOTLINE: _INQUIRY_WORK,
    Role.CONTACT_PERSON: [],
    Role.SUPERVISOR: [
        *_INQUIRY_WORK,
        # Supervisors see every queue and case and assign contact persons (domain.md,
        # roles). Working on a case (cases.work_on_case) is granted per case only.
        "cases.view_case",
        "cases.assign_case",
        "cases.reopen_case",
        "cases.approve_extension",
        "cases.view_statistics",
        # Retention: review courses past the retention period, hold or anonymise them.
        "cases.anonymise_case",
        # A person's subject access file (GDPR art. 15).
        "retention.produce_subject_access",
        # The audit review: who accessed a person, a user's activity, the DPO's export.
        "audit.view_auditevent",
        # Contact persons handle their own cases' returns through cases.work_on_case.
        "repatriation.manage_prepared_return",
        # The rules of the mechanism: propose a new version; approve another's.
        "rules.view_ruleversion",
        "rules.propose_ruleversion",
        "rules.approve_ruleversion",
    ],
    Role.STATISTICS: ["cases.view_statistics"],
    Role.ADMINISTRATOR: [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        # The partners' API clients: create, rotate and revoke their keys.
        "api.manage_apiclient",
    ],
}


def sync_role_groups(apps, schema_editor=None) -> None:
    """Create the role groups and set their permissions to exactly ROLE_PERMISSIONS.

    Called from the data migration and again after every migrate (and test flush), so the
    mapping in this file is what the database holds. Permissions of models not yet migrated
    are skipped and picked up by the next call.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs of a migration carry no models module, which would make
        # create_permissions skip them.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def user_roles(user: AbstractBaseUser) -> frozenset[str]:
    """The user's roles, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_cmm_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._cmm_roles = cached
    return cached


def has_role(user: AbstractBaseUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
