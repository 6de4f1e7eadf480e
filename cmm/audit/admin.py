from django.contrib import admin

from cmm.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail can be read here, never written, changed or deleted."""

    list_display = ("at", "actor", "action", "object_ref", "transition", "from_state", "to_state")
    list_filter = ("action", "content_type")
    search_fields = ("object_ref", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor", "content_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
