import sys
import uuid

from django.views.debug import ExceptionReporter


def _report(request, typed: str, *, html: bool) -> str:
    note = typed  # a local variable of the failing frame  # noqa: F841
    try:
        raise RuntimeError("the journal is unavailable")
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info(), is_email=True)
    return reporter.get_traceback_html() if html else reporter.get_traceback_text()


def test_an_error_report_names_the_page_and_error_but_not_what_was_typed(rf):
    canary = f"CANARY-{uuid.uuid4().hex[:12]}"
    request = rf.post("/cases/1/notes/", {"text": canary})
    for html in (False, True):
        report = _report(request, canary, html=html)
        assert "RuntimeError" in report and "/cases/1/notes/" in report
        assert "text" in report, "the field's name is kept"
        assert canary not in report


def test_the_developers_debug_page_still_shows_the_values(rf, settings):
    settings.DEBUG = True
    canary = f"CANARY-{uuid.uuid4().hex[:12]}"
    request = rf.post("/cases/1/notes/", {"text": canary})
    assert canary in _report(request, canary, html=True)
