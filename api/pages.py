"""The administrators' pages for API clients, and the API's documentation page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.generators import SchemaGenerator

from api import clients
from api.forms import ApiClientForm, RevokeForm, RotateForm
from api.models import ApiClient
from cmm.core.exceptions import Refused

PERM = "api.manage_apiclient"


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(PERM):
        raise PermissionDenied


def _client(request: HttpRequest, pk: int) -> ApiClient:
    _require(request)
    client = ApiClient.objects.filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def _key_shown(request: HttpRequest, client: ApiClient, key: str) -> HttpResponse:
    # The key is on this one answer (never stored, never in a URL or a message): the page
    # says to copy it now.
    return render(request, "api/key.html", {"client": client, "key": key})


def client_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(
        request,
        "api/clients.html",
        {"clients": ApiClient.objects.select_related("created_by").order_by("name")},
    )


@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, key = clients.client_create(actor=request.user, **form.cleaned_data)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            return _key_shown(request, client, key)
    return render(request, "api/client_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def client_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client(request, pk)
    form = RotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key = clients.client_rotate(actor=request.user, client_id=client.pk)
        except Refused as refusal:
            messages.error(request, refusal.message)
            return redirect("api_clients:list")
        return _key_shown(request, client, key)
    return render(request, "api/rotate.html", {"client": client, "form": form})


@require_http_methods(["GET", "POST"])
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client(request, pk)
    form = RevokeForm(request.POST or None, client_name=client.name)
    if request.method == "POST" and form.is_valid():
        try:
            clients.client_revoke(
                actor=request.user, client_id=client.pk, reason=form.cleaned_data["reason"]
            )
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, _("%(name)s is revoked: its key is refused.") % {"name": client.name}
            )
        return redirect("api_clients:list")
    return render(request, "api/revoke.html", {"client": client, "form": form})


def _operations(schema: dict) -> tuple[list[dict], list[dict]]:
    """The schema's operations in reading order, with their bodies and answers resolved."""
    components = schema.get("components", {}).get("schemas", {})

    def resolve(node: dict) -> dict:
        ref = node.get("$ref", "")
        return components.get(ref.rsplit("/", 1)[-1], {}) if ref else node

    def fields(node: dict) -> list[dict]:
        node = resolve(node)
        required = set(node.get("required", []))
        rows = []
        for name, prop in node.get("properties", {}).items():
            prop = resolve(prop) if "$ref" in prop else prop
            items = prop.get("items", {})
            if "$ref" in items:
                kind = f"list of {items['$ref'].rsplit('/', 1)[-1]}"
            else:
                kind = prop.get("type") or ", ".join(
                    str(v)
                    for alt in prop.get("oneOf", prop.get("allOf", []))
                    for v in resolve(alt).get("enum", [])
                )
            rows.append(
                {
                    "name": name,
                    "type": kind or "string",
                    "format": prop.get("format", ""),
                    "required": name in required,
                    "description": prop.get("description", ""),
                    "enum": prop.get("enum")
                    or resolve((prop.get("allOf") or prop.get("oneOf") or [{}])[0]).get("enum", []),
                }
            )
        return rows

    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append(
                {
                    "id": op.get("operationId", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": op.get("parameters", []),
                    "body": fields(body["schema"]) if body else [],
                    "responses": [
                        (code, answer.get("description", ""))
                        for code, answer in sorted(op.get("responses", {}).items())
                    ],
                }
            )
    nested = [
        {"name": name, "fields": fields(node)}
        for name, node in components.items()
        if name.endswith("Request")
        and name not in {"InquirySubmitRequest", "DecisionSubmitRequest"}
    ]
    return operations, nested


@login_not_required
def docs(request: HttpRequest) -> HttpResponse:
    """The API's reference for a partner's developers, from its OpenAPI schema, on this
    application's own page (no scripts, no CDN). Public, like the schema: it describes the
    interface and holds no data."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations, nested = _operations(schema)
    return render(
        request,
        "api/docs.html",
        {"schema": schema, "operations": operations, "nested": nested},
    )
