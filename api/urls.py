from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from api import pages, views


def _open(view):
    # The API authenticates by key, not by the pages' login.
    return login_not_required(view)


app_name = "api"
urlpatterns = [
    path("v1/inquiries/", _open(views.InquiryCreate.as_view()), name="inquiries"),
    path("v1/inquiries/<str:reference>/", _open(views.InquiryStatus.as_view()), name="inquiry"),
    path("v1/decisions/", _open(views.DecisionCreate.as_view()), name="decisions"),
    path("v1/statistics/<int:year>/", _open(views.StatisticsYear.as_view()), name="statistics"),
    path(
        "v1/schema/",
        _open(SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[])),
        name="schema",
    ),
    path("v1/docs/", pages.docs, name="docs"),
    # Last: whatever else is asked for under /api/.
    re_path(r"^(?P<rest>.*)$", _open(views.NoSuchEndpoint.as_view()), name="not_found"),
]
