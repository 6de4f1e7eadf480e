from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiClient


class ClientRateThrottle(SimpleRateThrottle):
    """CMM_API_RATE requests per client (default 60 a minute), counted in the shared cache
    so every worker process counts together."""

    scope = "client"

    def __init__(self) -> None:
        self.cache = caches["api"]
        super().__init__()

    def get_rate(self) -> str:
        return settings.CMM_API_RATE

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
