"""The timeline of audit events as the case and inquiry pages show it."""

from datetime import UTC, datetime

from django.template import Context, Template
from django.utils import translation

from cmm.audit.models import AuditEvent
from cmm.audit.personal import REDACTED
from tests.factories import UserFactory


def shown(events) -> str:
    with translation.override("en"):
        html = Template("{% load cmm %}{% history events %}").render(Context({"events": events}))
    return " ".join(html.split())


def event(**fields) -> AuditEvent:
    at = datetime(2026, 3, 2, 13, 5, tzinfo=UTC)
    return AuditEvent(at=at, object_ref="C-2026-00001", **fields)


def test_each_kind_of_event_says_who_did_what_and_when(db):
    karin = UserFactory.build(username="karin", first_name="Karin", last_name="Holm")
    html = shown(
        [
            event(actor=karin, action="update", changes={"name": [1, 2], "notes": [3, 4]}),
            event(
                actor=None,
                action="transition",
                from_state="awaiting_interview",
                to_state="interviewing",
                reason="Samtale <aftalt>",
            ),
            event(
                actor=karin,
                action="transition",
                from_state="in_support",
                to_state="ended",
                reason=REDACTED,
            ),
            event(actor=karin, action="create"),
        ]
    )
    # Copenhagen time, in the machine-readable attribute as well.
    assert '<time datetime="2026-03-02T14:05:00+01:00">' in html
    assert (
        'Karin Holm</span> <span class="cmm-history__what">Changed:</span> C-2026-00001 (2 fields)'
        in html
    )
    assert ">system</span>" in html
    assert "Awaiting interview → Interviewing · Samtale &lt;aftalt&gt;" in html
    # The erased reason is marked as such, not shown as if it were the reason.
    assert "Course ended · <em>[personal data]</em>" in html and html.count(REDACTED) == 1
    assert "Created:</span> C-2026-00001</li>" in html


def test_an_empty_timeline_says_so():
    assert shown([]) == '<ol class="cmm-history"> <li>Nothing yet.</li> </ol>'
