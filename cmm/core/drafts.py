"""Drafts: a half-written form saved on the server just before the session ends, and put
back into the page when its owner returns to it after logging in again.

The page's script (static/js/session.js) sends the changed forms of the page; only the
app's own form pages are accepted (checked with resolve()), only while the user may open
the page (asked again on restoring), and secrets never are.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import timezone

from cmm.audit import services as audit
from cmm.core.models import Draft

# (user, the URL's arguments) → whether the user may open that form page now.
AccessCheck = Callable[..., bool]


# The pages with a form worth keeping, by URL name, each with the check its view makes
# before it shows the form; each app registers its own pages in its AppConfig.ready()
# (kept in step with the views by tests/core/test_drafts.py, which opens every page as
# every role). A path is accepted only if it resolves to one of these, so a draft cannot be
# parked on the login page, the admin or an address of the client's choosing; and only for
# a user who may open it now, so a draft never holds what its owner could not type there,
# nor comes back to someone taken off the record since.
DRAFT_PAGES: dict[str, AccessCheck] = {}


def register_draft_pages(pages: dict[str, AccessCheck]) -> None:
    """Accept drafts of these form pages (URL name → the view's own access check)."""
    DRAFT_PAGES.update(pages)


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


class NotAllowed(Exception):
    """A form page the user may not open (now): no draft of it is kept (the view answers 403)."""


def _draft_page(path: Any) -> ResolverMatch | None:
    if not isinstance(path, str) or not path.startswith("/") or len(path) > MAX_PATH:
        return None
    if path.startswith("//") or "?" in path or "#" in path:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match if match.view_name in DRAFT_PAGES else None


def is_draft_page(path: Any) -> bool:
    """Whether `path` is one of the app's own form pages."""
    return _draft_page(path) is not None


def may_open(user: AbstractBaseUser, path: Any) -> bool:
    """Whether `path` is a form page that `user` may open now (its view's own check)."""
    match = _draft_page(path)
    return match is not None and DRAFT_PAGES[match.view_name](user, *match.args, **match.kwargs)


def _checked(owner: AbstractBaseUser, path: Any) -> None:
    """BadDraft for what is no form page; NotAllowed, after deleting any draft the owner has
    of it, for a page the owner may no longer open (taken off the record, say)."""
    if not is_draft_page(path):
        raise BadDraft("path")
    if not may_open(owner, path):
        Draft.objects.filter(owner=owner, path=path).delete()
        raise NotAllowed(path)


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
    """Store (or replace) the owner's draft of the page; None when nothing was left to keep.

    Raises BadDraft for what is not a draft, NotAllowed for a page the owner may not open.
    """
    fields = clean_fields(forms)
    _checked(owner, path)
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
    """The owner's draft of the page, deleted as it is handed back (restored once only).

    Access is asked again: a draft of a page the owner may no longer open is deleted, not
    handed back (NotAllowed).
    """
    _checked(owner, path)
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


# The URL namespace of the draft pages → the kind of record their `pk` is.
_RECORD_OF_NAMESPACE = {"cases": "case", "repatriation": "return", "referrals": "inquiry"}


def delete_drafts_of(
    *,
    cases: set[int] = frozenset(),
    returns: set[int] = frozenset(),
    inquiries: set[int] = frozenset(),
) -> int:
    """Delete every user's drafts of these records' pages (a course being anonymised: a
    draft holds what was typed about it). Returns how many went.

    Drafts live a day at most, so there are few: each path is resolved as a page would be.
    """
    wanted = {"case": set(cases), "return": set(returns), "inquiry": set(inquiries)}
    doomed = []
    for pk, path in Draft.objects.values_list("pk", "path"):
        match = _draft_page(path)
        record = match and _RECORD_OF_NAMESPACE.get(match.namespace)
        if record and match.kwargs.get("pk") in wanted[record]:
            doomed.append(pk)
    deleted, _ = Draft.objects.filter(pk__in=doomed).delete()
    return deleted


def draft_discard(*, owner: AbstractBaseUser, path: str) -> int:
    """Delete the owner's draft of the page (the session went on after all)."""
    if not is_draft_page(path):
        raise BadDraft("path")
    deleted, _ = Draft.objects.filter(owner=owner, path=path).delete()
    return deleted
