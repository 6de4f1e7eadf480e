import logging
import sys
import uuid

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

from cases.models import Person
from cmm.core.errors import (
    PersonalDataExceptionReporter,
    PersonalDataReporterFilter,
    ValueFreeFormatter,
)


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


def _database_error(canary: str) -> Exception:
    """A real PostgreSQL error whose DETAIL holds the row, with `canary` as a name."""
    try:
        with transaction.atomic():
            Person.objects.create(name=canary, gender=None)
    except IntegrityError as error:
        return error
    raise AssertionError("no error")


@pytest.mark.django_db
def test_a_database_errors_row_values_are_in_no_report_or_log_line(rf, caplog):
    canary = f"CANARY-{uuid.uuid4().hex[:12]}"
    error = _database_error(canary)
    assert canary in str(error), "PostgreSQL repeats the failing row"
    request = rf.post("/cases/1/person/", {"name": canary})
    for html in (False, True):
        reporter = PersonalDataExceptionReporter(
            request, type(error), error, error.__traceback__, is_email=True
        )
        report = reporter.get_traceback_html() if html else reporter.get_traceback_text()
        assert "IntegrityError" in report and "gender" in report
        assert canary not in report
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/x/",),
        (type(error), error, error.__traceback__),
    )
    line = ValueFreeFormatter("%(message)s").format(record)
    assert "IntegrityError" in line and "gender" in line
    assert canary not in line
    # As a failed Celery task logs it: the error's repr, its newlines escaped.
    task = logging.LogRecord(
        "celery.app.trace", logging.ERROR, __file__, 1, "Task raised unexpected: %r", (error,), None
    )
    line = ValueFreeFormatter("%(message)s").format(task)
    assert "IntegrityError" in line and canary not in line


def test_the_settings_use_the_redacting_reporter_and_formatter():
    assert import_string(settings.DEFAULT_EXCEPTION_REPORTER) is PersonalDataExceptionReporter
    assert isinstance(get_default_exception_reporter_filter(), PersonalDataReporterFilter)
    assert settings.LOGGING["formatters"]["plain"]["()"].endswith("ValueFreeFormatter")
    # Celery's worker would otherwise log with its own formatter.
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
