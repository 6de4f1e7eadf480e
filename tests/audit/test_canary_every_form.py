"""No personal data in technical logs, error reports or URLs.

Every page of the app is opened as a role that works on it; every form on it that takes
free text is submitted with each text field set to a canary (other fields get plausible
values), and the canary must not turn up in any log record (every logger at DEBUG, and what
each handler the settings configure would write), in the mail outbox, on stdout/stderr, in
the redirect or in any link of the pages that follow. A form that sends by GET must take no
free text at all: whatever it takes ends up in the URL.

`test_every_url_is_a_page_or_form_here` fails for a URL added without an entry.
"""

import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from cases import services as case_services
from tests.factories import UserFactory, case_in
from tests.world import (
    build_world,
    cookies_kept,
    module_data,
    url_for,
    url_names,
    verified_client,
)

pytestmark = pytest.mark.django_db

# Input types a person's details can be typed into.
FREE_TEXT = {"text", "search", "email", "tel", "url", "password"}


# Reading the forms of a page ---------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    # (name, kind, attributes, options); kind is an input type, "textarea" or "select"
    fields: list = field(default_factory=list)

    def free_text(self) -> list[str]:
        return [
            name
            for name, kind, attrs, _options in self.fields
            if kind == "textarea" or (kind in FREE_TEXT and not _numeric(attrs.get("value")))
        ]


def _numeric(value: str | None) -> bool:
    # A pre-filled date, time or number in a text box (the admin's split date and time) is
    # not free text: it keeps its value.
    return bool(value) and re.fullmatch(r"[\d\s:./-]+", value) is not None


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple | None = None
        self._textarea: tuple | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=attrs.get("action") or self.page_url,
                method=(attrs.get("method") or "get").lower(),
            )
        elif self._form is None or (attrs.get("disabled") is not None and tag != "option"):
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind not in ("submit", "button", "reset", "image", "file"):
                self._form.fields.append((attrs["name"], kind, attrs, []))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = (attrs["name"], "textarea", attrs, [])
        elif tag == "select" and attrs.get("name"):
            self._select = (attrs["name"], "select", attrs, [])
        elif tag == "option" and self._select is not None:
            self._option = attrs
            self._select[3].append(attrs)

    def handle_data(self, data):
        if self._option is not None and "value" not in self._option:
            self._option["value"] = data.strip()

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select" and self._select is not None:
            self._form.fields.append(self._select)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.fields.append(self._textarea)
            self._textarea = None
        elif tag == "option":
            self._option = None


def _forms(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms


def _fill(form: Form, canary: str) -> dict[str, list[str]]:
    """What a user would send: the canary in every free-text field, plausible values in the
    others, hidden fields as the page gave them."""
    now = timezone.localtime()
    data: dict[str, list[str]] = {}
    free = set(form.free_text())
    for name, kind, attrs, options in form.fields:
        value = attrs.get("value", "")
        if name in free:
            value = {"email": f"{canary}@example.org", "url": f"https://example.org/{canary}"}.get(
                kind, canary
            )
        elif kind in ("checkbox", "radio"):
            if kind == "radio" and name in data:
                continue
            chosen = "checked" in attrs or kind == "radio" or "required" in attrs
            if not chosen:
                continue
            value = attrs.get("value", "on")
        elif kind == "select":
            picked = [o["value"] for o in options if "selected" in o]
            offered = [o["value"] for o in options if o.get("value")]
            if "required" in attrs and not any(picked):
                data[name] = offered[:1]
            elif "multiple" in attrs:
                data[name] = picked  # adds no group or permission the record lacks
            else:
                # As a browser sends it: the selected option, else the first.
                data[name] = picked[:1] or [o["value"] for o in options[:1]]
            continue
        elif value or "required" not in attrs:
            pass  # an optional date or number left empty may be the valid choice
        elif kind == "date":
            value = now.date().isoformat()
        elif kind == "datetime-local":
            value = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        elif kind == "time":
            value = "12:00"
        elif kind == "number":
            value = attrs.get("min") or "1"
        data.setdefault(name, []).append(value)
    return data


# Where the canary must never be -------------------------------------------------------------

URL_ATTRIBUTES = re.compile(
    r"""\b(?:href|src|action|formaction|hx-(?:get|post|put|patch|delete)|data-[\w-]*url)"""
    r"""\s*=\s*["']([^"']*)["']""",
    re.IGNORECASE,
)


STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({})))


class _Everything(logging.Handler):
    """Keeps every record that reaches it as text: the message, its traceback, and any extra
    attributes (a structured log handler would write those out too)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extra = {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES}
        text = logging.Formatter("%(name)s %(message)s").format(record)
        self.texts.append(f"{text} {extra!r}")


@pytest.fixture
def technical_output(caplog, capfd):
    """Everything the app could log, mail or print while a test runs, as one text."""
    everything = _Everything()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    caplog.set_level(logging.DEBUG)
    for logger in loggers:
        caplog.set_level(logging.DEBUG, logger=logger.name)
    # Records stop at a logger that does not propagate: listen there too.
    listened = [lg for lg in loggers if lg is logging.getLogger() or not lg.propagate]
    for logger in listened:
        logger.addHandler(everything)
    # And what each configured handler would itself write out, through its own formatter.
    formatted: list[str] = []
    configured = {h for lg in loggers for h in lg.handlers if h is not everything}

    def keep(handler):
        def _filter(record):
            formatted.append(handler.format(record))
            return True

        return _filter

    filters = [(h, keep(h)) for h in configured if h is not caplog.handler]
    for handler, filter_ in filters:
        handler.addFilter(filter_)

    def read() -> str:
        out, err = capfd.readouterr()
        mails = [f"{m.subject}\n{m.body}\n{getattr(m, 'alternatives', '')}" for m in mail.outbox]
        return "\n".join([caplog.text, *everything.texts, *formatted, out, err, *mails])

    yield read
    for logger in listened:
        logger.removeHandler(everything)
    for handler, filter_ in filters:
        handler.removeFilter(filter_)


def _urls_in(response) -> list[str]:
    urls = [response.get("Location", "")]
    if not response.streaming and "html" in response.get("Content-Type", ""):
        urls += URL_ATTRIBUTES.findall(response.content.decode())
    return urls


def _view_name(url: str) -> str:
    return resolve(urlsplit(url).path).view_name


# The world and who opens what ---------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        with django_db_blocker.unblock():
            built = build_world()
            _add_courses(built)
            built.clients = {role: verified_client(user) for role, user in built.users.items()}
            built.clients["anonymous"] = Client()
            # Past the password only: the second-factor pages.
            built.clients["password_only"] = Client()
            built.clients["password_only"].force_login(built.users["contact_person"])
            frida = UserFactory(username="frida", role="contact_person")
            built.clients["not_enrolled"] = Client()
            built.clients["not_enrolled"].force_login(frida)
        yield built


@pytest.fixture(autouse=True)
def _sessions_kept(world):
    with cookies_kept(world.clients):
        yield


def _add_courses(world) -> None:
    """Karin's courses in each state a form needs to be accepted."""
    hanne, tove, karin = (world.users[r] for r in ("hotline", "supervisor", "contact_person"))
    people = {"hotline": hanne, "supervisor": tove, "contact": karin}
    today = timezone.localdate()
    world.records["deciding"] = case_in("report_sent_to_immigration_service", **people)
    world.records["assessed"] = case_in("assessed_trafficked", **people)
    # In support, a minor, with a reflection period and a placement.
    reflecting = case_in("assessed_trafficked", **people)
    case_services.person_update(
        actor=karin,
        case_id=reflecting.pk,
        version=reflecting.version,
        data={"birth_date": today.replace(year=today.year - 15)},
    )
    reflecting.refresh_from_db()
    case_services.case_answer_offer(
        actor=karin, case_id=reflecting.pk, version=reflecting.version, accepted=True, on=today
    )
    reflecting.refresh_from_db()
    case_services.reflection_start(
        actor=karin,
        case_id=reflecting.pk,
        version=reflecting.version,
        starts_on=today,
        granted_by="immigration_service",
    )
    reflecting.refresh_from_db()
    placement = case_services.placement_add(
        actor=karin,
        case_id=reflecting.pk,
        version=reflecting.version,
        data={"housing_type": "shelter", "place": "Krisecenter", "starts_on": today},
    )
    reflecting.refresh_from_db()
    world.records["reflecting"] = reflecting
    world.ids["open_placement"] = placement.pk
    # Ended, for a supervisor to reopen.
    ended = case_in("assessed_trafficked", **people)
    case_services.case_answer_offer(
        actor=karin, case_id=ended.pk, version=ended.version, accepted=False, on=today
    )
    world.records["ended"] = ended
    for name in ("deciding", "assessed", "reflecting", "ended"):
        world.ids[name] = world.records[name].pk


@dataclass(frozen=True)
class Page:
    """A page opened by `role`. Its own forms and those posting to `actions` are submitted
    with the canary; `typed` says whether it has any such form that takes free text. `fixed`
    sets fields to values the form needs to be accepted ("{canary}", "{today}")."""

    name: str
    kind: str | None
    role: str
    actions: tuple = ()
    typed: bool = True
    fixed: tuple = ()

    @property
    def id(self) -> str:
        return " ".join(filter(None, [self.name, self.kind, "as", self.role]))


P = Page
NOTHING_TYPED = {"typed": False}
# GET forms that do take free text, each with why that text is no person's data.
SEARCHES_OF_STAFF = {
    ("admin:auth_user_changelist", "q"): "finds staff accounts by username or name",
    ("admin:auth_group_changelist", "q"): "finds role groups by name",
}
PAGES = [
    # Logging in
    P("login", None, "anonymous"),
    P("two_factor_verify", None, "password_only"),
    P("two_factor_enrol", None, "not_enrolled"),
    P("two_factor_recovery_codes", None, "contact_person"),
    # Inquiries
    P("referrals:list", None, "hotline", **NOTHING_TYPED),
    P("referrals:create", None, "hotline"),
    P("referrals:detail", "received", "hotline", **NOTHING_TYPED),
    P("referrals:edit", "received", "hotline"),
    P("referrals:transition", "received:triage", "hotline"),
    P("referrals:transition", "triaged:refer", "hotline", **NOTHING_TYPED),
    # The canary is no case's reference: refused, which is logged no more than a success.
    P("referrals:transition", "triaged:link", "hotline"),
    P("referrals:transition", "triaged:close", "hotline"),
    # Lists and queues
    P("home", None, "administrator", **NOTHING_TYPED),
    P("cases:mine", None, "contact_person", **NOTHING_TYPED),
    P("cases:unassigned", None, "supervisor", **NOTHING_TYPED),
    P("cases:queues", None, "supervisor", ("cases:bulk_reassign",), typed=False),
    P("cases:queue", "untriaged", "hotline", **NOTHING_TYPED),
    P("cases:workload", None, "supervisor", **NOTHING_TYPED),
    P("search", None, "contact_person"),
    P("search", None, "hotline"),
    # A case
    P(
        "cases:detail",
        "own_case",
        "contact_person",
        ("cases:note_add", "cases:consent_add", "repatriation:start"),
    ),
    P("cases:detail", "reflecting", "supervisor", ("cases:extension_decide",), typed=False),
    P("cases:timeline", "own_case", "contact_person", **NOTHING_TYPED),
    P("cases:person", "own_case", "contact_person"),
    P("cases:assign", "case", "supervisor", **NOTHING_TYPED),
    P("cases:link_person", "case?person=kasper_person", "supervisor", **NOTHING_TYPED),
    P("cases:interview_new", "own_case", "contact_person"),
    P("cases:send", "own_case", "contact_person", fixed=(("sent_on", "{today}"),)),
    P("cases:assess", "deciding", "contact_person", **NOTHING_TYPED),
    P("cases:step", "assessed:offer", "contact_person", **NOTHING_TYPED),
    P("cases:step", "supported:reflection", "contact_person", **NOTHING_TYPED),
    P("cases:step", "reflecting:extend", "contact_person"),
    P("cases:step", "supported:placement", "contact_person"),
    P(
        "cases:step",
        "reflecting:placement-end?placement=open_placement",
        "contact_person",
        **NOTHING_TYPED,
    ),
    P("cases:step", "supported:service", "contact_person"),
    P("cases:step", "reflecting:minor", "contact_person"),
    P(
        "cases:step",
        "supported:police-report",
        "contact_person",
        fixed=(("filed", "no"), ("not_filed_reason", "investigation_ongoing")),
    ),
    P("cases:step", "supported:end", "contact_person"),
    P("cases:step", "ended:reopen", "supervisor"),
    # Retention
    P("cases:retention", None, "supervisor", **NOTHING_TYPED),
    # The canary is not the reference to retype: refused (nothing is erased).
    P("cases:anonymise", "own_case", "supervisor"),
    P("cases:legal_hold", "own_case", "supervisor"),
    P("cases:subject_access", "own_case", "supervisor"),
    # Prepared returns
    P("repatriation:detail", "own_return", "contact_person", **NOTHING_TYPED),
    P("repatriation:edit", "own_return", "contact_person"),
    P("repatriation:payment_add", "own_return", "contact_person", fixed=(("kind", "in_kind"),)),
    P("repatriation:step", "own_return:to_safety", "contact_person", **NOTHING_TYPED),
    P("repatriation:step", "own_return:stop", "contact_person"),
    P("repatriation:step", "own_return:complete", "contact_person", **NOTHING_TYPED),
    # Statistics and the audit review
    P("statistics", None, "statistics", **NOTHING_TYPED),
    P("audit:person", "own_case", "supervisor", **NOTHING_TYPED),
    P("audit:user", "user_contact_person", "supervisor", **NOTHING_TYPED),
    # The admin: the administrator role changes user accounts (and its own password)
    P("admin:index", None, "administrator", **NOTHING_TYPED),
    P("admin:auth_user_changelist", None, "administrator", **NOTHING_TYPED),
    P(
        "admin:auth_user_add",
        None,
        "administrator",
        fixed=(("password1", "en lang nok sætning"), ("password2", "en lang nok sætning")),
    ),
    P("admin:auth_user_change", "user_contact_person", "administrator"),
    P("admin:auth_user_password_change", "user_contact_person", "administrator"),
    P("admin:auth_user_reset_two_factor", "user_contact_person", "administrator", typed=False),
    P("admin:auth_user_history", "user_contact_person", "administrator", **NOTHING_TYPED),
    P("admin:auth_group_changelist", None, "administrator", **NOTHING_TYPED),
    P("admin:auth_group_change", "group_hotline", "administrator", **NOTHING_TYPED),
    P("admin:password_change", None, "administrator"),
    # API clients
    P("api_clients:list", None, "administrator", **NOTHING_TYPED),
    P(
        "api_clients:create",
        None,
        "administrator",
        fixed=(("scopes", "statistics:read"), ("partner_type", "police")),
    ),
    P("api_clients:rotate", "api_client", "administrator", typed=False),
    # The canary is not the client's name: refused on the page.
    P("api_clients:revoke", "api_client", "administrator"),
    # The rules: a proposal (the canary is no currency or calendar: refused field by field)
    # and the decision on one (its proposer withdraws it with the canary as the note).
    P("rules:list", None, "supervisor", **NOTHING_TYPED),
    P("rules:propose", None, "supervisor"),
    P("rules:detail", "rule_version", "supervisor", ("rules:decide",)),
]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.id)
def test_a_canary_typed_into_any_form_stays_out_of_logs_mails_and_urls(
    world, page, technical_output, django_capture_on_commit_callbacks
):
    client = world.clients[page.role]
    url = url_for(world, page.name, page.kind)
    response = client.get(url)
    assert response.status_code == 200, url
    canary = f"CANARY-{uuid.uuid4().hex[:12]}"
    fixed = {k: v.format(canary=canary, today=timezone.localdate()) for k, v in page.fixed}
    urls = _urls_in(response)
    submitted = 0
    for form in _forms(response.content.decode(), url):
        typed = form.free_text()
        if form.method == "get":
            typed = [f for f in typed if (page.name, f) not in SEARCHES_OF_STAFF]
            assert not typed, f"a GET form on {url} would put {typed} in the URL"
            continue
        action = _view_name(form.action)
        if not typed or action not in {page.name, *page.actions}:
            # Not this page's to submit; another entry submits it (checked below).
            assert not typed or action in SUBMITTED, f"{url}: nobody submits {action}"
            continue
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(form.action, _fill(form, canary) | fixed)
        assert answer.status_code in (200, 302), f"{form.action}: {answer.status_code}"
        urls += _urls_in(answer)
        if answer.status_code == 302:
            urls += _urls_in(client.get(answer["Location"]))
        submitted += 1
    assert bool(submitted) == page.typed, f"{url}: {submitted} forms with free text"
    assert canary not in technical_output(), f"the canary from {url} is logged, mailed or printed"
    assert not [u for u in urls if canary in u], f"the canary from {url} is in a URL"


SUBMITTED = {p.name for p in PAGES if p.typed} | {a for p in PAGES for a in p.actions}


def test_the_capture_hears_every_channel(technical_output):
    """Logged at DEBUG by any logger, printed, or mailed: each is seen."""
    canaries = [f"CANARY-{uuid.uuid4().hex[:12]}" for _ in range(4)]
    logging.getLogger("cases.views").debug(canaries[0])
    logging.getLogger("django.server").info(canaries[1])
    print(canaries[2])
    mail.send_mail("Emne", canaries[3], None, ["drift@example.org"])
    output = technical_output()
    assert all(canary in output for canary in canaries)


def test_a_canary_in_a_draft_stays_out_of_logs(world, technical_output):
    canary = f"CANARY-{uuid.uuid4().hex[:12]}"
    client = world.clients["contact_person"]
    path = url_for(world, "cases:person", "own_case")
    for name, body in [
        ("draft_save", {"path": path, "forms": {"person": {"name": [canary]}}}),
        ("draft_restore", {"path": path}),
        ("draft_save", {"path": path, "forms": {"person": {"name": [canary]}}}),
        ("draft_discard", {"path": path}),
    ]:
        response = client.post(reverse(name), json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 201), name
    assert canary not in technical_output()


def test_an_error_report_carries_no_canary(world, technical_output, settings, monkeypatch):
    """A crash while saving a note: the report mailed to the admins (and logged) names the
    page and the error, never what was typed."""
    settings.ADMINS = [("Drift", "drift@example.org")]

    def crash(**kwargs):
        raise RuntimeError("the journal is unavailable")

    monkeypatch.setattr(case_services, "note_add", crash)
    canary = f"CANARY-{uuid.uuid4().hex[:12]}"
    client = world.clients["contact_person"]
    client.raise_request_exception = False
    try:
        response = client.post(url_for(world, "cases:note_add", "own_case"), {"text": canary})
    finally:
        client.raise_request_exception = True
    assert response.status_code == 500
    assert len(mail.outbox) == 1, "the crash was not reported"
    assert "RuntimeError" in mail.outbox[0].body
    assert canary not in technical_output()


# URLs no entry above opens or submits, each for a reason.
NO_FREE_TEXT = {
    "logout": "a button: takes nothing but the session",
    "set_language": "a choice of language",
    "session_status": "the page's script asking how long is left: takes nothing",
    "session_keep_alive": "the page's script keeping the session: takes nothing",
    "statistics_download": "a file: takes the year and format in its URL",
    "audit:export": "a file: takes dates and a user id in its URL",
    "admin:login": "the admin's login: the same form as the app's login, which is tested",
    "admin:logout": "a button: takes nothing but the session",
    "admin:jsi18n": "the admin's JavaScript translation catalogue",
    "admin:autocomplete": "the admin's search for a choice field: no model of ours uses it",
    "admin:view_on_site": "a redirect to a record's page: takes ids in its URL",
    "admin:password_change_done": "a confirmation page",
    "admin:app_list": "an index of the admin",
    "api:docs": "the API's reference: a page without a form",
    "api:schema": "the API's OpenAPI schema: takes nothing",
    "api:inquiries": "the partner API: its canary test is tests/api/test_canary.py",
    "api:inquiry": "the partner API: its canary test is tests/api/test_canary.py",
    "api:decisions": "the partner API: its canary test is tests/api/test_canary.py",
    "api:statistics": "the partner API: its canary test is tests/api/test_canary.py",
    "api:not_found": "any other URL under /api/: takes nothing, answers 404",
}
DRAFTS = {"draft_save", "draft_restore", "draft_discard"}  # tested above with a canary
# The admin's pages of models the administrator role may not change or add (403 in the
# permission matrix), and read-only pages of those it may.
ADMIN_REFUSED = re.compile(
    r"admin:(auth_group|axes_\w+|otp_\w+|audit_auditevent)_\w+|admin:auth_user_delete"
)


def test_every_url_is_a_page_or_form_here():
    reached = {p.name for p in PAGES} | {a for p in PAGES for a in p.actions} | DRAFTS
    names = {name for name, _route in url_names(get_resolver()) if name}
    missing = sorted(
        name for name in names - reached - set(NO_FREE_TEXT) if not ADMIN_REFUSED.fullmatch(name)
    )
    assert not missing, f"open these pages in the canary test, or say why not: {missing}"
    assert set(NO_FREE_TEXT) <= names, "a reason names no URL"
