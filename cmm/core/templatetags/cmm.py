from collections.abc import Iterable
from datetime import date
from functools import cache
from html import escape

from django import template
from django.template.defaultfilters import linebreaksbr
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

register = template.Library()


# The state machines' labels, registered by each app with a precedence: where two
# machines share a code, the higher precedence's label is shown.
STATE_LABELS: list[tuple[int, dict]] = []


def register_state_labels(choices, precedence: int = 0) -> None:
    """Make a state machine's labels known to `state_label` and `history`."""
    STATE_LABELS.append((precedence, dict(choices)))
    _state_labels.cache_clear()


@cache
def _state_labels() -> dict:
    labels: dict = {}
    for _precedence, choices in sorted(STATE_LABELS, key=lambda item: item[0]):
        labels.update(choices)
    return labels


@cache
def _action_labels() -> dict:
    from cmm.audit.models import AuditEvent

    return dict(AuditEvent.Action.choices)


@register.filter
def state_label(code: str) -> str:
    """The translated label of a state code from any of the state machines."""
    return _state_labels().get(code, code)


@register.filter
def user_name(user) -> str:
    """A user's full name, else the username; empty for no user."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.simple_tag
def options(choices: Iterable[tuple], selected: str = "") -> SafeString:
    """The <option> elements of a long select (200 contact persons, 250 countries), the
    `selected` value marked; written in one pass in Python, where a template loop with an
    `if` per option took a noticeable part of a page's time. Labels are escaped."""
    selected = str(selected or "")
    # format_html per option (conditional_escape, lazy-string checks) was most of the time
    # of 650 options; html.escape is what Django's escape does, markup already safe is kept.
    parts = []
    for value, label in choices:
        value = str(value)
        parts.append(
            f'<option value="{_escape(value)}"{" selected" if value == selected else ""}>'
            f"{_escape(label)}</option>"
        )
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308, B703


def _escape(text: object) -> str:
    return str(text) if isinstance(text, SafeData) else escape(str(text))


@register.simple_tag
def minor_tag(person) -> SafeString:
    """The minor's tag after a person's name (an include per row
    cost a template lookup and a context for every row of a list)."""
    if not person.is_minor:
        return mark_safe("")  # nosec B308, B703
    label = gettext("Unaccompanied minor") if person.unaccompanied_minor else gettext("Minor")
    return mark_safe(f'<span class="cmm-tag cmm-tag--minor">{escape(label)}</span>')  # noqa: S308  # nosec B308, B703


@register.simple_tag
def history(events: Iterable) -> SafeString:
    """A timeline of audit events (the case's, the inquiry's), written in one pass.

    A template loop took 0.15 ms an event (dates, the actor, the action's label, the
    states): a long course's 100 events were a fifth of its page. Every value is escaped.
    """
    # Labels translated and the date format looked up once for the whole timeline, not
    # for each event.
    actions = {code: escape(str(label)) for code, label in _action_labels().items()}
    states = {code: escape(str(label)) for code, label in _state_labels().items()}
    datetime_format = formats.get_format("SHORT_DATETIME_FORMAT")
    system = escape(gettext("system"))
    items = []
    for event in events:
        at = template_localtime(event.at)
        if event.action == "transition":
            before = states.get(event.from_state) or _escape(event.from_state)
            after = states.get(event.to_state) or _escape(event.to_state)
            what = f"{before} → {after}"
            if event.reason_redacted:
                marker = gettext("[personal data]")
                what += f" · <em>{_escape(marker)}</em>"
            elif event.reason:
                what += f" · {_escape(event.reason)}"
        else:
            what = _escape(event.object_ref)
            if event.action == "update":
                n = len(event.changes)
                fields = ngettext("%(n)s field", "%(n)s fields", n) % {"n": n}
                what += f" ({_escape(fields)})"
        who = _escape(user_name(event.actor)) or system
        # The "c" date format is isoformat().
        items.append(
            "<li>"
            f'<time datetime="{_escape(at.isoformat())}">'
            f"{_escape(dateformat.format(at, datetime_format))}</time> "
            f'<span class="cmm-history__who">{who}</span> '
            f'<span class="cmm-history__what">'
            f"{actions.get(event.action) or _escape(event.action)}:</span> "
            f"{what}</li>\n"
        )
    if not items:
        nothing = gettext("Nothing yet.")
        items.append(f"<li>{_escape(nothing)}</li>\n")
    return mark_safe(f'<ol class="cmm-history">\n{"".join(items)}</ol>')  # noqa: S308  # nosec B308, B703


@register.simple_tag(takes_context=True)
def journal(
    context: template.Context, notes: Iterable, can_work: bool, correct_url: str
) -> SafeString:
    """A case's journal notes, each with its correction form for those who may work on the
    case, written in one pass.

    A template loop took 0.1 ms a note (the dates, the author, the form's four
    translations and its CSRF field): a long course's 50 notes were a tenth of its page.
    Every value is escaped."""
    csrf_field = CsrfTokenNode().render(context)
    correct = [
        gettext("Correct this note"),
        gettext("Correction"),
        gettext("Add the correction"),
    ]
    summary, label, button = (_escape(text) for text in correct)
    url = _escape(correct_url)
    datetime_format = formats.get_format("SHORT_DATETIME_FORMAT")
    articles = []
    for note in notes:
        pk = _escape(note.pk)
        meta = f"{_formatted(note.written_at, datetime_format)} · {_escape(user_name(note.author))}"
        if note.corrects is not None:
            when = _formatted(note.corrects.written_at, datetime_format)
            corrects = _escape(gettext("corrects the note of %(when)s")) % {"when": when}
            meta += f" · {corrects}"
        form = ""
        if can_work:
            form = (
                '<details class="cmm-correct">\n'
                f"<summary>{summary}</summary>\n"
                f'<form method="post" action="{url}">{csrf_field}\n'
                f'<input type="hidden" name="corrects" value="{pk}">\n'
                f'<div class="form-group"><label class="form-label" for="correct-{pk}">'
                f"{label}</label>\n"
                f'<textarea class="form-input" id="correct-{pk}" name="text" rows="3" required>'
                "</textarea></div>\n"
                f'<button type="submit" class="button button-secondary">{button}</button>\n'
                "</form>\n</details>\n"
            )
        articles.append(
            f'<article class="cmm-card" id="note-{pk}">\n'
            f'<p class="cmm-meta">{meta}</p>\n'
            f"<p>{linebreaksbr(note.text, autoescape=True)}</p>\n"
            f"{form}</article>\n"
        )
    return mark_safe("".join(articles))  # noqa: S308  # nosec B308, B703


@register.simple_tag
def service_list(services: Iterable) -> SafeString:
    """The support services logged on a case, a line each, written in one pass (a long
    course has tens of them). Every value is escaped."""
    date_format = formats.get_format("SHORT_DATE_FORMAT")
    items = []
    for service in services:
        line = (
            f"{_escape(service.get_kind_display())} · {_formatted(service.given_on, date_format)}"
        )
        if service.until:
            line += f" – {_formatted(service.until, date_format)}"
        if service.note:
            line += f" · {_escape(service.note)}"
        items.append(f"<li>{line}</li>")
    if not items:
        nothing = gettext("None logged.")
        items.append(f"<li>{_escape(nothing)}</li>")
    return mark_safe(f"<ul>{''.join(items)}</ul>")  # noqa: S308  # nosec B308, B703


@register.simple_tag
def case_queue_rows(cases: Iterable, queue: str, bulk: bool, today: date) -> SafeString:
    """The rows of a queue of cases, written in one pass: a template loop took 0.15 ms a
    row (the link, the person, the labels, the dates), a quarter of a queue's page. With
    `bulk`, each row has a box to choose it for reassignment. The last column says how
    long the case has waited, as the queue measures it. Every value is escaped."""
    date_format = formats.get_format("SHORT_DATE_FORMAT")
    urgent = escape(gettext("Urgent"))
    ends, over = escape(gettext("ends")), escape(gettext("over"))
    rows = []
    for case in cases:
        pk, reference = _escape(case.pk), _escape(case.reference)
        cells = []
        if bulk:
            choose = _escape(gettext("Choose %(ref)s") % {"ref": case.reference})
            cells.append(
                '<div class="form-group-checkbox cmm-pick"><input type="checkbox" '
                f'class="form-checkbox" form="bulk" name="cases" value="{pk}" id="pick-{pk}">'
                f'<label class="form-label" for="pick-{pk}"><span class="sr-only">{choose}'
                "</span></label></div>"
            )
        link = f'<a href="{_escape(reverse("cases:detail", args=[case.pk]))}">{reference}</a>'
        if case.is_urgent:
            link += f' <span class="cmm-tag cmm-tag--urgent">{urgent}</span>'
        if queue == "reflection-ending":
            ends_on = case.reflection_period.ends_on
            waiting = f"{ends} {_formatted(ends_on, date_format)}"
            if ends_on < today:
                waiting += f' <span class="cmm-warning">{over}</span>'
        elif queue == "awaiting-decision":
            days = case.waiting_days() or 0
            waiting = _escape(ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
        elif queue == "inactive":
            waiting = _formatted(case.last_activity_at, date_format)
        else:
            waiting = _formatted(case.state_changed_at, date_format)
        cells += [
            link,
            f"{_escape(case.person.name)} {minor_tag(case.person)}",
            _escape(case.person.get_nationality_display()),
            _escape(user_name(case.contact_person) or "–"),
            _escape(case.get_state_display()),
            waiting,
        ]
        rows.append(f"<tr>{''.join(f'<td>{cell}</td>' for cell in cells)}</tr>\n")
    return mark_safe("".join(rows))  # noqa: S308  # nosec B308, B703


def _formatted(value, date_format: str) -> str:
    """A date, or a moment in local time, as the `date` filter writes it; escaped."""
    return _escape(dateformat.format(template_localtime(value), date_format))
