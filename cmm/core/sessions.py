"""Session lifetime (ASVS 7.3): logged out after 15 minutes idle, and after 12 hours
whatever the activity. Both are settings."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

STARTED, SEEN = "cmm_session_started", "cmm_last_seen"


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
            if idle or too_old:
                # logout() ends the session on the server, not just in the browser.
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after 15 minutes without activity.")
                    if idle
                    else _("You were logged out: a session lasts at most 12 hours."),
                )
                return redirect_to_login(request.get_full_path())
            request.session[SEEN] = now
            request.session.setdefault(STARTED, now)
        return self.get_response(request)
