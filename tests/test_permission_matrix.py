"""Every URL × every role → the status it must answer, and no answer carrying anything of a
record the role may not see.

A record the user may not see answers 404 (its existence is not revealed); a page the role
has no business on answers 403; an anonymous visitor is sent to the login page. Karin is the
contact person of the records under test; Kasper is her colleague, who must see nothing of
them (and Karin nothing of his). The statistics role sees no person anywhere.

`test_every_url_has_a_row` fails for a URL added without rows here.
"""

import io
import json
import zipfile

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from stats import exports
from stats.counting import statistics_for
from tests.world import build_world, cookies_kept, module_data, url_for, url_names, verified_client

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "hotline",
    "contact_person",  # Karin: the records under test are hers
    "other_contact",  # Kasper: a contact person, not on those records
    "supervisor",
    "statistics",
    "administrator",
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        with django_db_blocker.unblock():
            built = build_world()
            built.clients = {role: verified_client(user) for role, user in built.users.items()}
            karin = built.users["contact_person"]
            built.ids["totp_karin"] = TOTPDevice.objects.get(user=karin).pk
            built.ids["static_karin"] = StaticDevice.objects.create(user=karin, name="codes").pk
            # One of each lockout record, so the admin's permission check (not a missing
            # object) decides the answer.
            seen = {"user_agent": "test", "ip_address": "10.0.0.1", "username": "karin"}
            seen |= {"http_accept": "*/*", "path_info": "/accounts/login/"}
            built.ids["attempt"] = AccessAttempt.objects.create(
                **seen, get_data="", post_data="", failures_since_start=1
            ).pk
            built.ids["access_log"] = AccessLog.objects.create(**seen).pk
            built.ids["failure_log"] = AccessFailureLog.objects.create(**seen).pk
        yield built


@pytest.fixture(autouse=True)
def _sessions_kept(world):
    with cookies_kept(world.clients):
        yield


def _draft_path(world) -> str:
    return reverse("cases:person", args=[world.ids["own_case"]])


# What a POST sends: a stale version (0) unless the view needs something else to get past
# its own checks. "json" rows send a JSON body, as the page's script does.
def _post_data(world, name: str) -> dict:
    if name == "search":
        # Every marker starts with "Matrix": the search finds them all, for whoever may.
        return {"q": "Matrix"}
    return {"version": "0"}


def _json_body(world, name: str) -> dict:
    if name == "draft_save":
        return {"path": _draft_path(world), "forms": {"person": {"phone": ["12345678"]}}}
    return {"path": _draft_path(world)}


def _request(world, http: Client, method: str, name: str, url: str):
    if method == "get":
        return http.get(url)
    if method == "json":
        return http.post(url, json.dumps(_json_body(world, name)), content_type="application/json")
    return http.post(url, _post_data(world, name))


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK"):
        # A spreadsheet: look inside its XML parts.
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            raw = b"".join(book.read(part) for part in book.namelist())
    return raw.decode("utf-8", errors="replace")


def _assert_nothing_leaks(world, role: str, response, what: str) -> None:
    body = _body(response)
    location = response.get("Location", "")
    for marker, allowed in world.markers:
        assert marker not in location, f"personal data in a redirect URL: {what}"
        if role not in allowed:
            assert marker not in body, f"{role} is shown {marker!r}: {what}"


# (url name, arguments, method) → expected status per role, in ROLES order.
LOGIN = 302  # to the login page (checked for the anonymous visitor)
NO_SESSION = 401  # the page's script is told the session is gone, never sent to a page
WORKERS = [LOGIN, 404, 200, 404, 403, 404, 404]  # Karin works on it; a supervisor views it
OWNER = [LOGIN, 404, 200, 404, 200, 404, 404]  # Karin and supervisors
SUPERVISES = [LOGIN, 404, 404, 404, 200, 404, 404]  # records only supervisors touch
MISSING = [LOGIN, 404, 404, 404, 404, 404, 404]
REVIEW = [LOGIN, 403, 403, 403, 200, 403, 403]  # supervisors' pages
INQUIRIES = [LOGIN, 200, 404, 404, 200, 404, 404]
EVERY_USER = [LOGIN, 200, 200, 200, 200, 200, 200]
REDIRECTED = [LOGIN, 302, 302, 302, 302, 302, 302]
POST_ONLY = [LOGIN, 405, 405, 405, 405, 405, 405]
ADMINISTERS = [LOGIN, 403, 403, 403, 403, 403, 200]  # the administrator's pages

CASE_STEPS = [
    "offer",
    "reflection",
    "extend",
    "placement",
    "placement-end",
    "service",
    "minor",
    "police-report",
    "end",
]
RETURN_STEPS = ["to_safety", "to_plan", "to_cooperation", "to_travel", "depart"]
CASE_QUEUES = [
    "unassigned",
    "awaiting-interview",
    "awaiting-cmm",
    "awaiting-decision",
    "reflection-ending",
    "returns-stalled",
    "payments-due",
    "inactive",
]


def _staff(status: int) -> list[int]:
    """Everyone but staff is sent to the admin's login; the administrator gets `status`."""
    return [LOGIN, 302, 302, 302, 302, 302, status]


DENIED = {view: (403, 403) for view in ("changelist", "add", "change", "delete")}
# Each registered model: the object its pages are asked about, and the administrator's
# answers to GET and POST per page. The role holds only the user-account permissions.
ADMIN_MODELS = {
    "auth_group": (
        "group_hotline",
        {"changelist": (200, 200), "add": (403, 403), "change": (200, 403), "delete": (403, 403)},
    ),
    "auth_user": (
        "user_contact_person",
        {"changelist": (200, 200), "add": (200, 200), "change": (200, 200), "delete": (403, 403)},
    ),
    "axes_accessattempt": ("attempt", DENIED),
    "axes_accesslog": ("access_log", DENIED),
    "axes_accessfailurelog": ("failure_log", DENIED),
    # Another user's second factor: nobody but a superuser.
    "otp_totp_totpdevice": ("totp_karin", DENIED),
    "otp_static_staticdevice": ("static_karin", DENIED),
    # The trail names records and holds changed values: superusers only.
    "audit_auditevent": ("event", DENIED),
}


def _admin_rows() -> list[tuple]:
    rows = []
    for model, (obj, answers) in ADMIN_MODELS.items():
        for view, (get, post) in answers.items():
            kind = None if view in ("changelist", "add") else obj
            rows.append((f"admin:{model}_{view}", kind, "get", _staff(get)))
            rows.append((f"admin:{model}_{view}", kind, "post", _staff(post)))
        history = 200 if answers["change"][0] == 200 else 403
        rows.append((f"admin:{model}_history", obj, "get", _staff(history)))
    return rows


MATRIX = [
    # Start, second factor and the session script ------------------------------------------
    ("home", None, "get", [LOGIN, 302, 302, 302, 302, 302, 200]),
    ("two_factor_verify", None, "get", REDIRECTED),
    ("two_factor_verify", None, "post", REDIRECTED),
    ("two_factor_enrol", None, "get", REDIRECTED),
    ("two_factor_enrol", None, "post", REDIRECTED),
    ("two_factor_recovery_codes", None, "get", EVERY_USER),
    ("two_factor_recovery_codes", None, "post", EVERY_USER),
    ("session_status", None, "get", [NO_SESSION, 200, 200, 200, 200, 200, 200]),
    ("session_keep_alive", None, "post", [NO_SESSION, 200, 200, 200, 200, 200, 200]),
    # A draft is its owner's alone: Karin gets hers back, nobody else gets anything; only
    # those who may open the page (Karin's own case's person page) keep a draft of it.
    ("draft_save", None, "json", [NO_SESSION, 403, 201, 403, 201, 403, 403]),
    ("draft_restore", None, "json", [NO_SESSION, 403, 200, 403, 200, 403, 403]),
    ("draft_discard", None, "json", [NO_SESSION, 200, 200, 200, 200, 200, 200]),
    # Inquiries: hotline and supervisors ----------------------------------------------------
    ("referrals:list", None, "get", [LOGIN, 200, 403, 403, 200, 403, 403]),
    ("referrals:create", None, "get", [LOGIN, 200, 403, 403, 200, 403, 403]),
    ("referrals:create", None, "post", [LOGIN, 200, 403, 403, 200, 403, 403]),
    ("referrals:detail", "received", "get", INQUIRIES),
    ("referrals:detail", "missing", "get", MISSING),
    ("referrals:edit", "received", "get", INQUIRIES),
    ("referrals:edit", "received", "post", INQUIRIES),
    ("referrals:edit", "missing", "get", MISSING),
    ("referrals:transition", "received:triage", "get", INQUIRIES),
    # A stale version (0) is a conflict: back to the inquiry with a message.
    ("referrals:transition", "received:triage", "post", [LOGIN, 302, 404, 404, 302, 404, 404]),
    ("referrals:transition", "received:refer", "get", [LOGIN, 302, 404, 404, 302, 404, 404]),
    ("referrals:transition", "triaged:refer", "get", INQUIRIES),
    ("referrals:transition", "triaged:refer", "post", [LOGIN, 302, 404, 404, 302, 404, 404]),
    ("referrals:transition", "triaged:link", "get", INQUIRIES),
    ("referrals:transition", "triaged:link", "post", INQUIRIES),
    ("referrals:transition", "triaged:close", "get", INQUIRIES),
    ("referrals:transition", "triaged:close", "post", INQUIRIES),
    ("referrals:transition", "triaged:nonsense", "get", MISSING),
    ("referrals:transition", "missing:triage", "post", MISSING),
    # Lists and queues: each shows only what its reader may see ------------------------------
    ("cases:mine", None, "get", [LOGIN, 403, 200, 200, 403, 403, 403]),
    ("cases:unassigned", None, "get", REVIEW),
    ("cases:queues", None, "get", [LOGIN, 200, 200, 200, 200, 403, 403]),
    *[
        ("cases:queue", slug, "get", [LOGIN, 200, 404, 404, 200, 403, 403])
        for slug in ("urgent-inquiries", "untriaged")
    ],
    *[("cases:queue", slug, "get", [LOGIN, 404, 200, 200, 200, 403, 403]) for slug in CASE_QUEUES],
    ("cases:queue", "nonsense", "get", [LOGIN, 404, 404, 404, 404, 403, 403]),
    ("cases:workload", None, "get", REVIEW),
    ("cases:bulk_reassign", None, "get", POST_ONLY),
    ("cases:bulk_reassign", None, "post", [LOGIN, 403, 403, 403, 302, 403, 403]),
    ("search", None, "get", [LOGIN, 200, 200, 200, 200, 403, 403]),
    ("search", None, "post", [LOGIN, 200, 200, 200, 200, 403, 403]),
    # Retention: supervisors ------------------------------------------------------------------
    ("cases:retention", None, "get", REVIEW),
    # The confirmation page shows; a wrong confirmation is refused on the same page.
    ("cases:anonymise", "own_case", "get", SUPERVISES),
    ("cases:anonymise", "own_case", "post", SUPERVISES),
    ("cases:anonymise", "missing", "get", MISSING),
    ("cases:legal_hold", "own_case", "get", SUPERVISES),
    ("cases:legal_hold", "own_case", "post", SUPERVISES),
    ("cases:legal_hold", "missing", "post", MISSING),
    # A person's subject access file: the form shows; an empty form is refused on the page.
    ("cases:subject_access", "own_case", "get", SUPERVISES),
    ("cases:subject_access", "own_case", "post", SUPERVISES),
    ("cases:subject_access", "missing", "get", MISSING),
    # A case -----------------------------------------------------------------------------------
    ("cases:detail", "own_case", "get", OWNER),
    ("cases:detail", "kasper_case", "get", [LOGIN, 404, 404, 200, 200, 404, 404]),
    ("cases:detail", "case", "get", SUPERVISES),
    ("cases:detail", "missing", "get", MISSING),
    ("cases:timeline", "own_case", "get", OWNER),
    ("cases:timeline", "kasper_case", "get", [LOGIN, 404, 404, 200, 200, 404, 404]),
    ("cases:timeline", "case", "get", SUPERVISES),
    ("cases:timeline", "missing", "get", MISSING),
    ("cases:person", "own_case", "get", OWNER),
    ("cases:person", "own_case", "post", OWNER),
    ("cases:person", "case", "get", SUPERVISES),
    ("cases:person", "kasper_case", "post", [LOGIN, 404, 404, 200, 200, 404, 404]),
    ("cases:assign", "own_case", "get", [LOGIN, 404, 403, 404, 200, 404, 404]),
    ("cases:assign", "own_case", "post", [LOGIN, 404, 403, 404, 200, 404, 404]),
    ("cases:assign", "case", "get", SUPERVISES),
    # Without the person to link to there is nothing to confirm.
    ("cases:link_person", "case", "get", MISSING),
    ("cases:link_person", "case?person=kasper_person", "get", SUPERVISES),
    ("cases:link_person", "case?person=kasper_person", "post", SUPERVISES),
    ("cases:interview_new", "own_case", "get", WORKERS),
    ("cases:interview_new", "own_case", "post", WORKERS),
    ("cases:interview_new", "kasper_case", "get", [LOGIN, 404, 404, 200, 403, 404, 404]),
    ("cases:interview_new", "case", "get", [LOGIN, 404, 404, 404, 403, 404, 404]),
    ("cases:send", "own_case", "get", WORKERS),
    ("cases:send", "own_case", "post", WORKERS),
    # Not awaiting a decision: back to the case with a message.
    ("cases:assess", "own_case", "get", [LOGIN, 404, 302, 404, 403, 404, 404]),
    ("cases:assess", "own_case", "post", [LOGIN, 404, 302, 404, 403, 404, 404]),
    ("cases:note_add", "own_case", "get", POST_ONLY),
    ("cases:note_add", "own_case", "post", [LOGIN, 404, 302, 404, 403, 404, 404]),
    ("cases:note_add", "case", "post", [LOGIN, 404, 404, 404, 403, 404, 404]),
    ("cases:consent_add", "own_case", "get", POST_ONLY),
    ("cases:consent_add", "own_case", "post", [LOGIN, 404, 302, 404, 403, 404, 404]),
    ("cases:extension_decide", "supported", "get", POST_ONLY),
    # No such extension on the case: 404 even for a supervisor.
    ("cases:extension_decide", "supported", "post", [LOGIN, 404, 403, 404, 404, 404, 404]),
    *[("cases:step", f"supported:{step}", "get", WORKERS) for step in CASE_STEPS],
    *[
        ("cases:step", f"supported:{step}", "post", WORKERS)
        for step in CASE_STEPS
        if step != "minor"
    ],
    # The form has nothing required beyond the version: the stale version is a conflict.
    ("cases:step", "supported:minor", "post", [LOGIN, 404, 302, 404, 403, 404, 404]),
    ("cases:step", "case:placement", "get", [LOGIN, 404, 404, 404, 403, 404, 404]),
    ("cases:step", "supported:reopen", "get", [LOGIN, 404, 403, 404, 200, 404, 404]),
    ("cases:step", "supported:reopen", "post", [LOGIN, 404, 403, 404, 200, 404, 404]),
    ("cases:step", "supported:nonsense", "get", MISSING),
    # Prepared returns ------------------------------------------------------------------------
    ("repatriation:start", "supported", "get", POST_ONLY),
    # Already has a prepared return: back to the case with a message.
    ("repatriation:start", "supported", "post", [LOGIN, 404, 302, 404, 302, 404, 404]),
    ("repatriation:start", "kasper_case", "post", [LOGIN, 404, 404, 302, 302, 404, 404]),
    ("repatriation:start", "case", "post", [LOGIN, 404, 404, 404, 302, 404, 404]),
    ("repatriation:detail", "own_return", "get", OWNER),
    ("repatriation:detail", "missing", "get", MISSING),
    ("repatriation:edit", "own_return", "get", OWNER),
    ("repatriation:edit", "own_return", "post", OWNER),
    ("repatriation:payment_add", "own_return", "get", OWNER),
    ("repatriation:payment_add", "own_return", "post", OWNER),
    *[("repatriation:step", f"own_return:{step}", "get", OWNER) for step in RETURN_STEPS],
    *[
        ("repatriation:step", f"own_return:{step}", "post", [LOGIN, 404, 302, 404, 302, 404, 404])
        for step in RETURN_STEPS
    ],
    ("repatriation:step", "own_return:stop", "get", OWNER),
    ("repatriation:step", "own_return:stop", "post", OWNER),
    ("repatriation:step", "own_return:complete", "get", OWNER),
    ("repatriation:step", "own_return:complete", "post", OWNER),
    ("repatriation:step", "own_return:nonsense", "get", MISSING),
    # Statistics: aggregates for supervisors and the statistics role --------------------------
    ("statistics", None, "get", [LOGIN, 403, 403, 403, 200, 200, 403]),
    *[
        ("statistics_download", f"year:{fmt}", "get", [LOGIN, 403, 403, 403, 200, 200, 403])
        for fmt in ("json", "xlsx", "research", "csv-summary", "csv-assessed_by_nationality")
    ],
    ("statistics_download", "year:nonsense", "get", [LOGIN, 403, 403, 403, 404, 404, 403]),
    # The audit review: supervisors ------------------------------------------------------------
    ("audit:person", "own_case", "get", REVIEW),
    ("audit:person", "missing", "get", [LOGIN, 403, 403, 403, 404, 403, 403]),
    ("audit:user", "user_contact_person", "get", REVIEW),
    ("audit:user", "missing", "get", [LOGIN, 403, 403, 403, 404, 403, 403]),
    ("audit:export", None, "get", REVIEW),
    # The partner API: a key, never a session, opens it (every scope: tests/api/) -----------------
    ("api:inquiries", None, "post", [401] * 7),
    ("api:inquiry", "received_ref", "get", [401] * 7),
    ("api:decisions", None, "post", [401] * 7),
    ("api:statistics", "year", "get", [401] * 7),
    # Its schema and reference describe the interface, no record: public.
    ("api:schema", None, "get", [200] * 7),
    ("api:docs", None, "get", [200] * 7),
    # Any other URL under /api/: 404 in the API's format, for anyone.
    ("api:not_found", "v1/nothing/", "get", [404] * 7),
    ("api:not_found", "v1/inquiries", "post", [404] * 7),
    # API clients: the administrator --------------------------------------------------------------
    ("api_clients:list", None, "get", ADMINISTERS),
    ("api_clients:create", None, "get", ADMINISTERS),
    # An empty form is refused on the page; a stale rotation needs its confirmation.
    ("api_clients:create", None, "post", ADMINISTERS),
    ("api_clients:rotate", "api_client", "get", ADMINISTERS),
    ("api_clients:rotate", "api_client", "post", ADMINISTERS),
    ("api_clients:revoke", "api_client", "get", ADMINISTERS),
    ("api_clients:revoke", "api_client", "post", ADMINISTERS),
    ("api_clients:rotate", "missing", "get", [LOGIN, 403, 403, 403, 403, 403, 404]),
    # The rules of the mechanism: supervisors propose and approve ---------------------------------
    ("rules:list", None, "get", REVIEW),
    ("rules:propose", None, "get", REVIEW),
    # An empty proposal is refused on the page, field by field.
    ("rules:propose", None, "post", REVIEW),
    ("rules:detail", "rule_version", "get", REVIEW),
    ("rules:detail", "missing", "get", [LOGIN, 403, 403, 403, 404, 403, 403]),
    # A decision without its note or confirmation is refused with a message on the page.
    ("rules:decide", "rule_version", "post", [LOGIN, 403, 403, 403, 302, 403, 403]),
    ("rules:decide", "rule_version", "get", POST_ONLY),
    # The admin -----------------------------------------------------------------------------------
    ("admin:index", None, "get", _staff(200)),
    ("admin:app_list", "auth", "get", _staff(200)),
    *[
        ("admin:app_list", app, "get", _staff(404))
        for app in ("axes", "otp_totp", "otp_static", "audit")
    ],
    *_admin_rows(),
    ("admin:auth_user_password_change", "user_contact_person", "get", _staff(200)),
    ("admin:auth_user_password_change", "user_contact_person", "post", _staff(200)),
    ("admin:auth_user_reset_two_factor", "user_contact_person", "get", _staff(200)),
    ("admin:auth_user_reset_two_factor", "user_contact_person", "post", _staff(302)),
    # The authenticator secret of another user: nobody but a superuser.
    ("admin:otp_totp_totpdevice_config", "totp_karin", "get", _staff(403)),
    ("admin:otp_totp_totpdevice_qrcode", "totp_karin", "get", _staff(403)),
    ("admin:password_change", None, "get", _staff(200)),
    ("admin:password_change_done", None, "get", _staff(200)),
    # Without the field to complete there is no search.
    ("admin:autocomplete", None, "get", _staff(403)),
    # Cases have no page in the admin to send anyone to.
    ("admin:view_on_site", "case_type:own_case", "get", _staff(404)),
]


def _row_id(row: tuple) -> str:
    name, kind, method, _expected = row
    return f"{method} {name} {kind or ''}".strip()


@pytest.mark.parametrize(("name", "kind", "method", "expected"), MATRIX, ids=map(_row_id, MATRIX))
def test_permission_matrix(world, name, kind, method, expected):
    url = url_for(world, name, kind)
    for role, status in zip(ROLES, expected, strict=True):
        http = Client() if role == "anonymous" else world.clients[role]
        response = _request(world, http, method, name, url)
        what = f"{role} {method.upper()} {url}"
        assert response.status_code == status, what
        if role == "anonymous" and status == LOGIN:
            assert "/login/" in response["Location"], what
        _assert_nothing_leaks(world, role, response, what)


# Not in the matrix, each for a reason.
EXEMPT = {
    "login": "the login page is public by design (lockout and canary: tests/audit/)",
    "logout": "ends the visitor's own session, public by design (POST only)",
    "set_language": "Django's i18n view: sets the language cookie, touches no record",
    "admin:login": "the admin's login page, public by design",
    "admin:logout": "ends the visitor's own session, public by design",
    "admin:jsi18n": "the admin's JavaScript translation catalogue: static text",
}


def test_every_url_has_a_row():
    patterns = url_names(get_resolver())
    # The admin's unnamed patterns only redirect to named ones (an object's change page, the
    # catch-all to its index); anywhere else a pattern needs a name to be checked.
    unnamed = [route for name, route in patterns if name is None and not route.startswith("admin/")]
    assert not unnamed, f"name these URL patterns so the matrix can cover them: {unnamed}"
    covered = {row[0] for row in MATRIX}
    missing = sorted(
        name for name, _route in patterns if name and name not in covered and name not in EXEMPT
    )
    assert not missing, f"URLs without a row in the permission matrix: {missing}"
    assert not set(EXEMPT) & covered, "an exempt URL has rows: drop its exemption"
    assert set(EXEMPT) <= {name for name, _route in patterns}, "an exemption names no URL"


# Pages on which each marker must show to someone allowed: otherwise the leak check above
# would be looking for text no page ever carries.
SHOWCASE = [
    ("hotline", "referrals:detail", "received", "get"),
    ("hotline", "referrals:detail", "triaged", "get"),
    ("contact_person", "cases:detail", "own_case", "get"),
    ("contact_person", "cases:detail", "supported", "get"),
    ("other_contact", "cases:detail", "kasper_case", "get"),
    ("supervisor", "search", None, "post"),
]


def test_every_marker_is_shown_to_those_who_may_see_it(world):
    seen = {role: "" for role in ROLES}
    for role, name, kind, method in SHOWCASE:
        response = _request(world, world.clients[role], method, name, url_for(world, name, kind))
        assert response.status_code == 200
        seen[role] += _body(response)
    for marker, allowed in world.markers:
        assert any(marker in seen[role] for role in allowed), marker


def test_the_statistics_role_sees_no_person_in_any_download(world):
    stig = world.clients["statistics"]
    year = world.ids["year"]
    fmts = ["json", "xlsx", "research"]
    fmts += [f"csv-{name}" for name in exports.tables(statistics_for(year))]
    for fmt in fmts:
        url = reverse("statistics_download", args=[year, fmt])
        response = stig.get(url)
        assert response.status_code == 200, url
        _assert_nothing_leaks(world, "statistics", response, url)


def test_the_administrator_sees_no_case_or_inquiry_in_the_admin(world):
    html = world.clients["administrator"].get(reverse("admin:index")).content.decode()
    assert "/admin/referrals/" not in html
    assert "/admin/cases/" not in html
