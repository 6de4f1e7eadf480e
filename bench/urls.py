"""The bench's urlconf (bench/common.py sets ROOT_URLCONF to it; never the production one):
every route of cmm.urls as it is, and one more, the framework floor: an empty page.

Login and the second factor are enforced by middleware for every view not marked otherwise
(LoginRequiredMiddleware, then cmm.core.twofactor.TwoFactorRequiredMiddleware), so the
empty view, a plain one, passes through the same middleware, login and second-factor checks
as the real pages: what every page pays before its own queries and template.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from cmm import urls as cmm_urls

FRAMEWORK_FLOOR = "bench_framework_floor"


def empty(request: HttpRequest) -> HttpResponse:
    """Nothing: no query, no template (GET and POST alike)."""
    return HttpResponse()


urlpatterns = [
    *cmm_urls.urlpatterns,
    path("bench/framework-floor/", empty, name=FRAMEWORK_FLOOR),
]
