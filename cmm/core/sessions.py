"""Session lifetime (ASVS 7.3): logged out after 15 minutes idle, and after 12 hours
whatever the activity. Both are settings.

The page's script asks how long is left (`passive` views: asking is not activity, or an
open tab would keep the session alive forever) and warns before the end.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import ngettext

STARTED, SEEN = "cmm_session_started", "cmm_last_seen"


def passive(view: Callable) -> Callable:
    """Mark a view whose requests do not count as the user's activity."""
    view.cmm_passive = True
    return view


def session_api(view: Callable) -> Callable:
    """Mark a view the page's script calls: an ended session answers 401, not the login page."""
    view.cmm_session_api = True
    return view


def seconds_left(request: HttpRequest) -> tuple[int, bool]:
    """Seconds until the session ends, and whether the 12-hour limit (not idleness) ends it."""
    now = int(time.time())
    idle_left = request.session.get(SEEN, now) + settings.CMM_SESSION_IDLE_SECONDS - now
    max_left = request.session.get(STARTED, now) + settings.CMM_SESSION_MAX_SECONDS - now
    return max(0, min(idle_left, max_left)), max_left <= idle_left


def _view_marks(request: HttpRequest) -> tuple[bool, bool]:
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return False, False
    return getattr(view, "cmm_passive", False), getattr(view, "cmm_session_api", False)


@receiver(user_logged_in)
def _start_clock(sender, request: HttpRequest, user, **kwargs) -> None:
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(STARTED, now)
            seen = request.session.get(SEEN, now)
            idle = now - seen > settings.CMM_SESSION_IDLE_SECONDS
            too_old = now - started > settings.CMM_SESSION_MAX_SECONDS
            is_passive, is_api = _view_marks(request)
            if idle or too_old:
                # logout() ends the session on the server, not just in the browser.
                logout(request)
                # The limits are settings: the message says the ones in force.
                minutes = settings.CMM_SESSION_IDLE_SECONDS // 60
                hours = settings.CMM_SESSION_MAX_SECONDS // 3600
                messages.info(
                    request,
                    ngettext(
                        "You were logged out after %(n)s minute without activity.",
                        "You were logged out after %(n)s minutes without activity.",
                        minutes,
                    )
                    % {"n": minutes}
                    if idle
                    else ngettext(
                        "You were logged out: a session lasts at most %(n)s hour.",
                        "You were logged out: a session lasts at most %(n)s hours.",
                        hours,
                    )
                    % {"n": hours},
                )
                if is_api:
                    return JsonResponse({"logged_in": False}, status=401)
                return redirect_to_login(request.get_full_path())
            if not is_passive:
                request.session[SEEN] = now
            request.session.setdefault(STARTED, now)
        return self.get_response(request)
