"""Error reports without personal data.

Django's error report (mailed to ADMINS, or rendered by any reporter using the default
filter) lists every POST value and, in its HTML form, the local variables of each frame.
On a form page those are what the user typed about a person. Outside debug, this filter
keeps their names and replaces every value; the report still names the page, the user,
the error and where in the code it happened.

A database error's message has a second part: PostgreSQL's DETAIL repeats the values of
the row that failed ("Failing row contains (…, Søren Ålund, …)", "Key (…)=(…)"). The
report and every log line keep the message and the constraint's name, never that part.
"""

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# To the end of the line, or of the escaped line where the error is shown by its repr()
# (Celery's "Task … raised unexpected: IntegrityError('…\\nDETAIL:  …')").
_DETAIL = re.compile(r"DETAIL:(?:(?!\\n)[^\n])*")


def without_row_values(text: str) -> str:
    """`text` with the DETAIL line of any database error in it replaced."""
    return _DETAIL.sub("DETAIL: [row values removed]", text)


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request: HttpRequest | None):
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        cleansed = request.POST.copy()
        for name in cleansed:
            cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PersonalDataExceptionReporter(ExceptionReporter):
    """The error report (text and HTML) without the row values of a database error."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if not self.filter.is_active(self.request):
            return data
        if data.get("exception_value") is not None:
            data["exception_value"] = without_row_values(str(data["exception_value"]))
        for frame in data.get("frames", []):
            # The chained exceptions ("The above exception … was the direct cause").
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = without_row_values(str(frame["exc_cause"]))
        return data


class RedactingFormatter(logging.Formatter):
    """Log lines (with their tracebacks) without the row values of a database error."""

    def format(self, record: logging.LogRecord) -> str:
        return without_row_values(super().format(record))
