from django import template
from django.conf import settings
from django.template.context import Context

from cmm.core import drafts
from cmm.core.sessions import seconds_left

register = template.Library()


@register.simple_tag(takes_context=True)
def session_timing(context: Context) -> dict:
    """What the page's session script needs: when to warn, when to save drafts, and whether
    a draft of this page waits to be restored."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    draft_page = match is not None and match.view_name in drafts.DRAFT_PAGES
    left, final = seconds_left(request)
    return {
        "seconds_left": left,
        "final": final,
        "warning": settings.CMM_SESSION_WARNING_SECONDS,
        "max_hours": max(1, settings.CMM_SESSION_MAX_SECONDS // 3600),
        "draft_lead": settings.CMM_DRAFT_SAVE_SECONDS,
        "draft_page": draft_page,
        "draft_waiting": draft_page and drafts.draft_waiting(request.user, request.path),
    }
