"""The bench's urlconf (bench/common.py sets ROOT_URLCONF to it; never the production one):
every route of cmm.urls as it is, and two more, the framework floors.

The pages' floor is an empty page. Login and the second factor are enforced by middleware
for every view not marked otherwise (LoginRequiredMiddleware, then
cmm.core.twofactor.TwoFactorRequiredMiddleware), so the empty view, a plain one, passes
through the same middleware, login and second-factor checks as the real pages: what every
page pays before its own queries and template.

The API's floor is an empty answer from a partner view: the same key check, scope, throttle,
body parser and language as POST /api/v1/inquiries/, and nothing of its own.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

from api.views import InquiryCreate, PartnerView
from cmm import urls as cmm_urls

FRAMEWORK_FLOOR = "bench_framework_floor"
API_FLOOR = "bench_api_floor"


def empty(request: HttpRequest) -> HttpResponse:
    """Nothing: no query, no template (GET and POST alike)."""
    return HttpResponse()


class ApiFloor(PartnerView):
    scope = InquiryCreate.scope

    def post(self, request: Request) -> Response:
        # Reading the body is part of the floor: the endpoint parses it too.
        request.data  # noqa: B018
        return Response()


urlpatterns = [
    *cmm_urls.urlpatterns,
    path("bench/framework-floor/", empty, name=FRAMEWORK_FLOOR),
    path("bench/api-floor/", login_not_required(ApiFloor.as_view()), name=API_FLOOR),
]
