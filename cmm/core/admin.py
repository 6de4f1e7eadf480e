"""The user-account admin, for the administrator role.

Hardened against self-elevation (ASVS 8.2): nobody changes their own groups, permissions,
staff or superuser flag, and only a superuser may make a superuser. Every change of a user's
groups, permissions or flags is in the audit trail, and an administrator can reset another
user's two-factor login (audited; it ends that user's sessions).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmm.audit.services import Action, record
from cmm.core.roles import Role, has_role
from cmm.core.twofactor import app_device, reset_two_factor

PRIVILEGE_FIELDS = ("groups", "user_permissions", "is_staff", "is_superuser")
AUDITED_FLAGS = ("is_active", "is_staff", "is_superuser")


def _privileges(user: User) -> dict:
    values = {flag: getattr(user, flag) for flag in AUDITED_FLAGS}
    if user.pk:
        values["groups"] = sorted(user.groups.values_list("name", flat=True))
        values["user_permissions"] = sorted(
            f"{app}.{code}"
            for app, code in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        )
    else:
        values["groups"] = values["user_permissions"] = []
    return values


def may_reset_two_factor(actor: User, user: User) -> bool:
    """An administrator (or superuser) may reset someone else's second factor."""
    if actor.pk == user.pk:
        return False
    return actor.is_superuser or (
        has_role(actor, Role.ADMINISTRATOR) and actor.has_perm("auth.change_user")
    )


admin.site.unregister(User)


@admin.register(User)
class CmmUserAdmin(UserAdmin):
    change_form_template = "admin/cmm_user_change_form.html"
    list_display = (*UserAdmin.list_display, "is_active", "two_factor")

    @admin.display(description=gettext_lazy("two-factor login"), boolean=True)
    def two_factor(self, obj: User) -> bool:
        return app_device(obj) is not None

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        if obj is not None and obj.pk == request.user.pk:
            readonly.extend(PRIVILEGE_FIELDS)
        readonly.append("two_factor")
        return tuple(dict.fromkeys(readonly))

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, (gettext_lazy("Two-factor login"), {"fields": ("two_factor",)}))

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        # Read before the change from the database, not from the form's instance.
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        request._cmm_privileges_before = _privileges(stored) if stored else _privileges(User())
        if change and stored is not None and obj.pk == request.user.pk:
            # Belt and braces behind the read-only fields: nothing self-granted survives.
            for flag in ("is_staff", "is_superuser"):
                setattr(obj, flag, getattr(stored, flag))
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        if form.instance.pk == request.user.pk and any(
            name in form.cleaned_data for name in ("groups", "user_permissions")
        ):
            raise PermissionDenied
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_cmm_privileges_before", None)
        if before is None:
            return
        after = _privileges(form.instance)
        changes = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
        if changes:
            # The admin's change view runs in one transaction: the trail commits with it.
            record(request.user, Action.UPDATE, form.instance, changes=changes)

    def get_urls(self):
        reset = path(
            "<int:user_id>/reset-two-factor/",
            self.admin_site.admin_view(self.reset_two_factor_view),
            name="auth_user_reset_two_factor",
        )
        return [reset, *super().get_urls()]

    def reset_two_factor_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        user = get_object_or_404(User, pk=user_id)
        if not self.has_change_permission(request, user) or not may_reset_two_factor(
            request.user, user
        ):
            raise PermissionDenied
        change_url = reverse("admin:auth_user_change", args=[user.pk])
        if request.method == "POST":
            with transaction.atomic():
                reset_two_factor(actor=request.user, user=user)
            messages.success(
                request,
                _(
                    "Two-factor login for %(user)s is reset and their sessions are ended. "
                    "They set up an authenticator app at their next login."
                )
                % {"user": user.get_username()},
            )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset two-factor login"),
            "subject": user,
            "opts": self.opts,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/cmm_reset_two_factor.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_reset_two_factor"] = obj is not None and may_reset_two_factor(
            request.user, obj
        )
        return super().render_change_form(request, context, add, change, form_url, obj)
