from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import selectors
from cases.models import Case
from cmm.core.access import get_object_for_user
from cmm.core.roles import Role, has_role

PAGE_SIZE = 50


def unassigned(request: HttpRequest) -> HttpResponse:
    """The supervisors' queue of referred persons waiting for a contact person."""
    if not has_role(request.user, Role.SUPERVISOR):
        raise PermissionDenied
    page = Paginator(selectors.unassigned_cases(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/unassigned.html", {"page": page})


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_for_user(
        request.user, Case.objects.select_related("person"), pk, "cases.view_case"
    )
    inquiries = case.inquiry_persons.select_related("inquiry").order_by("inquiry__received_at")
    return render(request, "cases/case_detail.html", {"case": case, "inquiry_links": inquiries})
