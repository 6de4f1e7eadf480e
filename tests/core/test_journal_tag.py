"""A case's journal as the case page shows it."""

from datetime import UTC, datetime

from django.template import Context, Template
from django.utils import translation

from cases.models import Note
from tests.factories import UserFactory


def shown(notes, can_work: bool) -> str:
    template = Template("{% load cmm %}{% journal notes can_work '/cases/7/notes/' %}")
    context = Context({"notes": notes, "can_work": can_work, "csrf_token": "tok<en>"})
    with translation.override("en"):
        html = template.render(context)
    return " ".join(html.split())


def note(pk: int, text: str, **fields) -> Note:
    author = UserFactory.build(username="karin", first_name="Karin", last_name="<Holm>")
    at = datetime(2026, 3, 2, 13, 5, tzinfo=UTC)
    return Note(pk=pk, text=text, author=author, written_at=at, **fields)


def test_a_note_shows_when_and_by_whom_with_its_text_escaped_and_its_lines_kept():
    html = shown([note(1, "Mødt <b>ved</b> stationen\nAftale & opfølgning")], can_work=False)

    assert '<article class="cmm-card" id="note-1">' in html
    # Copenhagen time; the name and the text escaped; the text's lines kept.
    assert '<p class="cmm-meta">03/02/2026 2:05 p.m. · Karin &lt;Holm&gt;</p>' in html
    assert "<p>Mødt &lt;b&gt;ved&lt;/b&gt; stationen<br>Aftale &amp; opfølgning</p>" in html
    # Who may not work on the case is not offered a correction.
    assert "<form" not in html and "Correct this note" not in html


def test_a_correction_names_the_note_it_corrects():
    first = note(1, "Første")
    second = note(2, "Rettet", corrects=first)
    second.written_at = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

    html = shown([first, second], can_work=False)

    assert (
        "03/03/2026 10 a.m. · Karin &lt;Holm&gt; · corrects the note of 03/02/2026 2:05 p.m."
        in html
    )
    assert html.count("corrects the note of") == 1


def test_who_may_work_on_the_case_can_correct_each_note_through_its_own_form():
    html = shown([note(1, "Første"), note(2, "Anden")], can_work=True)

    assert html.count("<summary>Correct this note</summary>") == 2
    assert html.count('<form method="post" action="/cases/7/notes/">') == 2
    assert html.count('<input type="hidden" name="csrfmiddlewaretoken" value="tok&lt;en&gt;">') == 2
    assert '<input type="hidden" name="corrects" value="2">' in html
    assert '<label class="form-label" for="correct-2">Correction</label>' in html
    assert '<textarea class="form-input" id="correct-2" name="text" rows="3" required>' in html
    assert (
        '<button type="submit" class="button button-secondary">Add the correction</button>' in html
    )
