"""The support services logged on a case, as the case page lists them."""

from datetime import date

from django.template import Context, Template
from django.utils import translation

from cases.models.support import ServiceKind, SupportService


def shown(services) -> str:
    template = Template("{% load cmm %}{% service_list services %}")
    with translation.override("en"):
        return template.render(Context({"services": services}))


def test_each_service_shows_its_kind_its_dates_and_its_note_escaped():
    html = shown(
        [
            SupportService(kind=ServiceKind.INTERPRETER, given_on=date(2026, 3, 2)),
            SupportService(
                kind=ServiceKind.LEGAL_AID,
                given_on=date(2026, 3, 4),
                until=date(2026, 4, 1),
                note="Advokat <Hansen> & Co",
            ),
        ]
    )
    assert html == (
        "<ul><li>Interpreter · 03/02/2026</li>"
        "<li>Legal aid · 03/04/2026 – 04/01/2026 · Advokat &lt;Hansen&gt; &amp; Co</li></ul>"
    )


def test_no_service_says_so():
    assert shown([]) == "<ul><li>None logged.</li></ul>"
