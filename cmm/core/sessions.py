"""Session lifetime (ASVS 7.3): logged out after 15 minutes idle, and after 12 hours
whatever the activity. Both are settings.

And ending every session of a user on the server (ASVS 7.4): each session key a user logs in
with is remembered (`UserSession`), and deactivating the account, changing its password or
resetting its second factor deletes all of them.

The page's script asks how long is left (`passive` views: asking is not activity, or an
open tab would keep the session alive forever) and warns before the end.
"""

import time
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import ngettext

STARTED, SEEN = "cmm_session_started", "cmm_last_seen"
# Recording the activity is a session write (an UPDATE in its own transaction). A page
# view (GET) within a fifteenth of the idle limit (a minute of fifteen) of the recorded
# activity is not recorded again: the idle clock then runs from the recorded one, so a
# session may end up to that much before the idle limit, never after. A POST (and "Stay
# logged in" is one) always records.
SEEN_GRANULARITY_SECONDS = 60


def seen_granularity() -> int:
    return min(SEEN_GRANULARITY_SECONDS, settings.CMM_SESSION_IDLE_SECONDS // 15)


# The session key this session was last remembered under (it changes on every cycle_key).
REMEMBERED = "cmm_remembered_key"


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
    remember_session(request)


@receiver(user_logged_out)
def _forget_session(sender, request: HttpRequest, user, **kwargs) -> None:
    from cmm.core.models import UserSession

    key = getattr(request, "session", None) and request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def remember_session(request: HttpRequest) -> None:
    """Record the request's session key for its user, so it can be ended with the others."""
    from cmm.core.models import UserSession

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    session = request.session
    if session.session_key is None:
        # A session flushed by login() has no key until saved; the key is needed now.
        session.save()
    key = session.session_key
    if session.get(REMEMBERED) == key:
        return
    previous = session.get(REMEMBERED)
    if previous:
        UserSession.objects.filter(session_key=previous).delete()
    UserSession.objects.update_or_create(session_key=key, defaults={"user_id": user.pk})
    session[REMEMBERED] = key


def end_all_sessions(user) -> int:
    """Delete every session `user` logged in with, on the server; returns how many."""
    from cmm.core.models import UserSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


@receiver(pre_save, sender=get_user_model())
def _note_credentials(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    instance._cmm_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"is_active", "password"} & set(update_fields):
        return  # e.g. last_login on every login
    before = sender.objects.filter(pk=instance.pk).values("is_active", "password").first()
    instance._cmm_before = before


@receiver(post_save, sender=get_user_model())
def _end_sessions_on_deactivation_or_new_password(
    sender, instance, created: bool, raw: bool = False, **kwargs
) -> None:
    before = getattr(instance, "_cmm_before", None)
    instance._cmm_before = None
    if raw or created or before is None:
        return
    deactivated = before["is_active"] and not instance.is_active
    new_password = before["password"] != instance.password
    if deactivated or new_password:
        # After the commit, so a rolled-back change leaves the sessions alone.
        transaction.on_commit(lambda: end_all_sessions(instance))


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
            if not is_passive and (
                request.method not in ("GET", "HEAD") or now - seen >= seen_granularity()
            ):
                request.session[SEEN] = now
            request.session.setdefault(STARTED, now)
            # A session whose key changed since login (a password change cycles it) is
            # remembered again, so ending all of the user's sessions still reaches it.
            remember_session(request)
        return self.get_response(request)
