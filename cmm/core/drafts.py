"""Drafts: a half-written form saved on the server just before the session ends, and put
back into the page when its owner returns to it after logging in again.

The page's script (static/js/session.js) sends the changed forms of the page; only the
app's own form pages are accepted (checked with resolve()), and secrets never are.
"""

import re
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from cmm.audit import services as audit
from cmm.core.models import Draft

# The pages with a form worth keeping, by URL name. A path is accepted only if it resolves
# to one of these, so a draft cannot be parked on the login page, the admin or an address
# of the client's choosing.
DRAFT_PAGES = frozenset(
    {
        "referrals:create",
        "referrals:edit",
        "referrals:transition",
        "cases:detail",
        "cases:person",
        "cases:assign",
        "cases:link_person",
        "cases:interview_new",
        "cases:send",
        "cases:assess",
        "cases:step",
        "repatriation:edit",
        "repatriation:payment_add",
        "repatriation:step",
    }
)
# Never stored, whatever the form: the CSRF token and anything that is a credential.
SECRET_NAME = re.compile(r"csrf|passw|otp|token|secret", re.IGNORECASE)

MAX_PATH = 300
MAX_FORMS = 20
MAX_FIELDS = 500
MAX_VALUES = 100
MAX_VALUE_CHARS = 100_000
MAX_NAME_CHARS = 200
KEEP_FOR = timedelta(hours=24)


class BadDraft(ValueError):
    """The request's draft is not one we store (the view answers 400)."""


def is_draft_page(path: Any) -> bool:
    """Whether `path` is one of the app's own form pages."""
    if not isinstance(path, str) or not path.startswith("/") or len(path) > MAX_PATH:
        return False
    if path.startswith("//") or "?" in path or "#" in path:
        return False
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in DRAFT_PAGES


def clean_fields(forms: Any) -> dict[str, dict[str, list[str]]]:
    """The forms of a page as {form key: {field name: [values]}}, without secrets.

    Raises BadDraft for anything that is not that shape or is too big.
    """
    if not isinstance(forms, dict) or len(forms) > MAX_FORMS:
        raise BadDraft("forms")
    cleaned: dict[str, dict[str, list[str]]] = {}
    count = 0
    for key, fields in forms.items():
        if not isinstance(key, str) or len(key) > MAX_PATH or not isinstance(fields, dict):
            raise BadDraft("form")
        kept: dict[str, list[str]] = {}
        for name, values in fields.items():
            count += 1
            if count > MAX_FIELDS or not isinstance(name, str) or len(name) > MAX_NAME_CHARS:
                raise BadDraft("field")
            if not isinstance(values, list) or len(values) > MAX_VALUES:
                raise BadDraft("values")
            if not all(isinstance(v, str) and len(v) <= MAX_VALUE_CHARS for v in values):
                raise BadDraft("value")
            if name and not SECRET_NAME.search(name):
                kept[name] = values
        if kept:
            cleaned[key] = kept
    return cleaned


def draft_save(*, owner: AbstractBaseUser, path: str, forms: Any) -> Draft | None:
    """Store (or replace) the owner's draft of the page; None when nothing was left to keep."""
    if not is_draft_page(path):
        raise BadDraft("path")
    fields = clean_fields(forms)
    if not fields:
        return None
    with transaction.atomic():
        draft, _created = Draft.objects.update_or_create(
            owner=owner, path=path, defaults={"fields": fields, "saved_at": timezone.now()}
        )
        # Where and how much, never what: the content stays out of the audit trail.
        audit.record(
            owner,
            audit.Action.CREATE,
            draft,
            changes={"draft_of": path, "fields": sum(len(f) for f in fields.values())},
        )
    return draft


def draft_waiting(owner: AbstractBaseUser, path: str) -> bool:
    """Whether the owner has a draft of this page (checked before the page asks for it)."""
    return Draft.objects.filter(
        owner=owner, path=path, saved_at__gte=timezone.now() - KEEP_FOR
    ).exists()


def draft_take(*, owner: AbstractBaseUser, path: str) -> Draft | None:
    """The owner's draft of the page, deleted as it is handed back (restored once only)."""
    if not is_draft_page(path):
        raise BadDraft("path")
    with transaction.atomic():
        draft = (
            Draft.objects.select_for_update()
            .filter(owner=owner, path=path, saved_at__gte=timezone.now() - KEEP_FOR)
            .first()
        )
        if draft is None:
            return None
        audit.record(owner, audit.Action.VIEW, draft, changes={"draft_of": path, "restored": 1})
        # The in-memory copy keeps its fields for the response after the row is gone.
        Draft.objects.filter(pk=draft.pk).delete()
    return draft


def delete_old_drafts() -> int:
    """Delete drafts older than a day (the nightly clean-up); returns how many went."""
    deleted, _ = Draft.objects.filter(saved_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted


def draft_discard(*, owner: AbstractBaseUser, path: str) -> int:
    """Delete the owner's draft of the page (the session went on after all)."""
    if not is_draft_page(path):
        raise BadDraft("path")
    deleted, _ = Draft.objects.filter(owner=owner, path=path).delete()
    return deleted
