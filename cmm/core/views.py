import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_POST

from cmm.core import drafts
from cmm.core.drafts import BadDraft, NotAllowed
from cmm.core.roles import Role, user_roles
from cmm.core.sessions import passive, seconds_left, session_api


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    roles = user_roles(request.user)
    if Role.SUPERVISOR in roles:
        return redirect("cases:unassigned")
    if Role.CONTACT_PERSON in roles:
        return redirect("cases:mine")
    if Role.HOTLINE in roles:
        return redirect("referrals:list")
    if Role.STATISTICS in roles:
        return redirect("statistics")
    return render(request, "core/home.html", {"roles": roles})


# The session warning and drafts (static/js/session.js) --------------------------------


def _status(request: HttpRequest) -> JsonResponse:
    left, final = seconds_left(request)
    return JsonResponse({"logged_in": True, "seconds_left": left, "final": final})


def _logged_out() -> JsonResponse:
    return JsonResponse({"logged_in": False}, status=401)


def _not_allowed() -> JsonResponse:
    # The same answer whether the record exists or not, and whether a draft was kept.
    return JsonResponse({"error": "not allowed"}, status=403)


def _json_body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadDraft("json") from error
    if not isinstance(body, dict):
        raise BadDraft("json")
    return body


@login_not_required  # answers 401 itself: the script wants JSON, not the login page
@require_GET
@session_api
@passive
def session_status(request: HttpRequest) -> JsonResponse:
    """How long the session has left. Asking is not activity."""
    if not request.user.is_authenticated:
        return _logged_out()
    return _status(request)


@login_not_required
@require_POST
@session_api
def session_keep_alive(request: HttpRequest) -> JsonResponse:
    """ "Stay logged in": the request itself is the activity that restarts the idle clock."""
    if not request.user.is_authenticated:
        return _logged_out()
    return _status(request)


@login_not_required
@require_POST
@session_api
@passive
def draft_save(request: HttpRequest) -> JsonResponse:
    """Keep the page's changed forms as the user's draft of it, just before the session ends.

    Passive: saving is the script's doing, not the user's, and must not keep the session.
    """
    if not request.user.is_authenticated:
        return _logged_out()
    try:
        body = _json_body(request)
        draft = drafts.draft_save(
            owner=request.user, path=body.get("path"), forms=body.get("forms")
        )
    except BadDraft:
        return JsonResponse({"error": "bad draft"}, status=400)
    except NotAllowed:
        return _not_allowed()
    return JsonResponse({"saved": draft is not None}, status=201 if draft else 200)


@login_not_required
@require_POST
@session_api
def draft_restore(request: HttpRequest) -> JsonResponse:
    """The user's own draft of a page, handed back once and then deleted."""
    if not request.user.is_authenticated:
        return _logged_out()
    try:
        path = _json_body(request).get("path")
        draft = drafts.draft_take(owner=request.user, path=path)
    except BadDraft:
        return JsonResponse({"error": "bad path"}, status=400)
    except NotAllowed:
        return _not_allowed()
    if draft is None:
        return JsonResponse({"forms": None})
    time_of_day = formats.time_format(timezone.localtime(draft.saved_at), "H:i")
    return JsonResponse(
        {
            "forms": draft.fields,
            "message": _("Your draft from %(time)s is restored.") % {"time": time_of_day},
        }
    )


@login_not_required
@require_POST
@session_api
@passive
def draft_discard(request: HttpRequest) -> JsonResponse:
    """Drop the user's draft of a page: the session went on, so the page still has the work.

    Passive for the same reason as saving: the script sends it, not the user.
    """
    if not request.user.is_authenticated:
        return _logged_out()
    try:
        deleted = drafts.draft_discard(owner=request.user, path=_json_body(request).get("path"))
    except BadDraft:
        return JsonResponse({"error": "bad path"}, status=400)
    return JsonResponse({"discarded": deleted})


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page with the request's id, which the log line and the error mail carry:
    the user can quote it without anyone needing what they typed."""
    body = loader.get_template("500.html").render(
        {"request_id": getattr(request, "request_id", "")}
    )
    return HttpResponseServerError(body)
