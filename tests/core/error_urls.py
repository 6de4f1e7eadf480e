"""A page that fails as a database error would, for tests/core/test_error_canary.py."""

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from cases.models import Person
from cmm.urls import urlpatterns as project_patterns

CANARY_NAME = "KANsidefejl Ålund"


@login_not_required
def fails(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        Person.objects.create(name=CANARY_NAME, gender=None)
    return HttpResponse()


urlpatterns = [path("test-fails/", fails), *project_patterns]
handler500 = "cmm.core.views.server_error"
