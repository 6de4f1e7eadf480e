from rest_framework.permissions import BasePermission

from api.models import ApiClient


class HasScope(BasePermission):
    """The view's `scope` must be one the authenticated client holds."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        return isinstance(client, ApiClient) and client.has_scope(view.scope)
