"""One error format for every refusal: {"errors": [{"field", "code", "message"}, ...]}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from cmm.core.exceptions import Refused


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _flatten(detail, path: str) -> list[dict]:
    if isinstance(detail, dict):
        return [
            error
            for name, value in detail.items()
            for error in _flatten(value, f"{path}.{name}" if path else str(name))
        ]
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            # A list of errors for one field, or a list of nested items (persons).
            nested = isinstance(value, dict | list)
            errors += _flatten(value, f"{path}.{index}" if nested else path)
        return errors
    return [
        {
            "field": None if path in ("", "non_field_errors") else path,
            "code": getattr(detail, "code", "invalid"),
            "message": str(detail),
        }
    ]


def handle(exc: Exception, context: dict) -> Response | None:
    """DRF's exception handler, answering in the one format; a service's refusal is a 409."""
    if isinstance(exc, Refused):
        exc = Conflict(str(exc.message))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("This API client may not do this."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.status_code = status.HTTP_401_UNAUTHORIZED
    response.data = {"errors": _flatten(exc.detail, "")}
    return response


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"errors": [{"field": field, "code": code, "message": message}]}
