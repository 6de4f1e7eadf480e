"""The rows of a queue of cases as the queue page shows them."""

from datetime import UTC, date, datetime, timedelta

from django.template import Context, Template
from django.utils import timezone, translation

from cases.models import Case, CaseState, Person
from cases.models.support import ReflectionPeriod
from tests.factories import UserFactory


def rows(cases, queue: str, bulk: bool = False) -> str:
    template = Template("{% load cmm %}{% case_queue_rows cases queue bulk today %}")
    context = {"cases": cases, "queue": queue, "bulk": bulk, "today": date(2026, 3, 10)}
    with translation.override("en"):
        return template.render(Context(context))


def case(**fields) -> Case:
    person = Person(name="Ana <Popescu>", nationality="RO", declared_minor=True)
    contact = UserFactory.build(username="karin", first_name="Karin", last_name="Holm")
    return Case(
        pk=7,
        reference="C-2026-00007",
        person=person,
        contact_person=contact,
        state=CaseState.IN_SUPPORT,
        state_changed_at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
        last_activity_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
        **fields,
    )


def test_a_row_links_the_case_and_shows_the_person_escaped_and_who_has_it():
    html = rows([case(is_urgent=True)], "awaiting-interview")

    assert html.startswith('<tr><td><a href="/cases/7/">C-2026-00007</a>')
    assert '<span class="cmm-tag cmm-tag--urgent">Urgent</span>' in html
    assert "<td>Ana &lt;Popescu&gt; <span" in html and "cmm-tag--minor" in html
    assert "<td>Romania</td><td>Karin Holm</td><td>Receiving support</td>" in html
    # Waiting since the state changed: the day in Copenhagen, not in UTC.
    assert html.endswith("<td>03/03/2026</td></tr>\n")
    assert "checkbox" not in html


def test_a_case_without_a_contact_person_says_so():
    unassigned = case()
    unassigned.contact_person = None
    assert "<td>–</td>" in rows([unassigned], "unassigned")


def test_the_supervisors_rows_each_have_a_box_to_choose_the_case():
    html = rows([case()], "unassigned", bulk=True)

    assert html.startswith(
        '<tr><td><div class="form-group-checkbox cmm-pick"><input type="checkbox" '
        'class="form-checkbox" form="bulk" name="cases" value="7" id="pick-7">'
        '<label class="form-label" for="pick-7">'
        '<span class="sr-only">Choose C-2026-00007</span></label></div></td>'
    )


def test_the_waiting_column_is_what_each_queue_measures():
    ending = case()
    ending.reflection_period = ReflectionPeriod(ends_on=date(2026, 3, 9))
    assert rows([ending], "reflection-ending").endswith(
        '<td>ends 03/09/2026 <span class="cmm-warning">over</span></td></tr>\n'
    )
    ending.reflection_period.ends_on = date(2026, 3, 10)
    assert rows([ending], "reflection-ending").endswith("<td>ends 03/10/2026</td></tr>\n")

    waiting = case(report_sent_on=timezone.localdate() - timedelta(days=12))
    assert rows([waiting], "awaiting-decision").endswith("<td>12 days</td></tr>\n")

    assert rows([case()], "inactive").endswith("<td>02/01/2026</td></tr>\n")
