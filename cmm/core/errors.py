"""Error reports and log lines that cannot carry personal data.

An exception's message is text that someone else composed from values: PostgreSQL's
DETAIL repeats the failing row ("Failing row contains (…, Søren Ålund, …)", "Key (…)=(…)"),
a validation error interpolates what was typed ("Value 'Søren' is not a valid choice"),
a KeyError is the key. Cleaning such text afterwards only removes what someone thought of.
So outside debug no report and no log line contains an exception's message at all: an
exception is shown by `describe()`, from its type and, for a database error, the
constraint, table and column PostgreSQL names, for a validation error its fields and
codes, plus the request id. The traceback keeps its frames (files, lines, code), which
are the program's, not the person's.

Django's error report (mailed to ADMINS) additionally lists every POST and GET value and,
in its HTML form, each frame's local variables: outside debug the filter keeps their names
and replaces every value.
"""

import contextvars
import logging
import re
import traceback
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

NO_REQUEST = "-"
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)

# What a proxy may hand us as the request id: a token, never free text.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _database_diagnostics(error: BaseException) -> list[str]:
    """The names PostgreSQL gives for a failed statement (psycopg's `diag`): schema
    objects, never values. Django wraps the driver's error as its `__cause__`."""
    for candidate in (error, error.__cause__):
        diag = getattr(candidate, "diag", None)
        if diag is None:
            continue
        named = [
            ("constraint", diag.constraint_name),
            ("table", diag.table_name),
            ("column", diag.column_name),
            ("sqlstate", getattr(candidate, "sqlstate", None)),
        ]
        return [f"{key}={value}" for key, value in named if value]
    return []


def _validation_fields(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"field={field}({','.join(str(e.code or 'invalid') for e in errors)})"
            for field, errors in error.error_dict.items()
        ]
    return [f"code={','.join(str(e.code or 'invalid') for e in error.error_list)}"]


def describe(error: BaseException) -> str:
    """An exception as a log line may show it: its type, the constraint or fields it is
    about, and no text that a value could be in."""
    kind = type(error)
    parts = [
        kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    ]
    if isinstance(error, ValidationError):
        parts += _validation_fields(error)
    else:
        parts += _database_diagnostics(error)
    return " ".join(parts)


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and those it was raised from or during, oldest first, as Python's own
    traceback prints them."""
    seen: list[BaseException] = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return list(reversed(seen))


def traceback_without_values(error: BaseException) -> str:
    """Python's traceback of `error` and its chain, each ending in `describe()` instead of
    the exception's message."""
    blocks = []
    for link in _chain(error):
        frames = "".join(traceback.format_list(traceback.extract_tb(link.__traceback__)))
        blocks.append(f"Traceback (most recent call last):\n{frames}{describe(link)}")
    return "\n\nThe above exception led to the following:\n\n".join(blocks)


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was logged in (`-` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class ValueFreeFormatter(logging.Formatter):
    """Log lines in which no exception's message appears.

    Exceptions passed as arguments are shown by `describe()`; so is an exception's text
    where a library logged it as the message itself (Django's security logger logs
    `str(exc)`) or pre-rendered it into its arguments (Celery's task failure and retry
    lines, whose `exc` is the exception's repr)."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(record.args, dict):
            record.args = {key: self._arg(value, key, error) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(self._arg(value, None, error) for value in record.args)
        if error is not None and record.msg == str(error):
            record.msg, record.args = describe(error), ()
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return super().format(record)

    @staticmethod
    def _arg(value: Any, key: str | None, error: BaseException | None) -> Any:
        if isinstance(value, BaseException):
            return describe(value)
        if key == "exc":
            return describe(error) if error is not None else "[message withheld]"
        if key == "traceback":
            return ""
        return value

    def formatException(self, ei) -> str:
        return traceback_without_values(ei[1])


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Keeps the names of the request's fields and parameters and none of their values."""

    def _names_only(self, query):
        cleansed = query.copy()
        for name in cleansed:
            cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_post_parameters(self, request: HttpRequest | None):
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return self._names_only(request.POST)

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        if self.is_active(request) and meta.get("QUERY_STRING"):
            meta["QUERY_STRING"] = self.cleansed_substitute
        return meta

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PersonalDataExceptionReporter(ExceptionReporter):
    """The error report (text and HTML) with exceptions shown by `describe()`, the query
    string's values withheld, and the request id."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if not self.filter.is_active(self.request):
            return data
        if self.exc_value is not None:
            data["exception_value"] = describe(self.exc_value)
        data.pop("exception_notes", None)
        data["unicode_hint"] = ""
        for frame in data.get("frames", []):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = describe(frame["exc_cause"])
        if self.request is not None:
            data["request_GET_items"] = self.filter._names_only(self.request.GET).items()
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?")[0]
            data["request_id"] = getattr(self.request, "request_id", NO_REQUEST)
        return data

    def get_traceback_text(self) -> str:
        text = super().get_traceback_text()
        rid = getattr(self.request, "request_id", None)
        return f"Request id: {rid}\n{text}" if rid and self.filter.is_active(self.request) else text


class ValueFreeAdminEmailHandler(AdminEmailHandler):
    """The mail to CMM_ERROR_EMAILS: the subject and first line are the value-free log line
    with the request id, the body the report above."""

    _line = ValueFreeFormatter("[%(request_id)s] %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        # AdminEmailHandler builds the subject from getMessage(): hand it the safe line.
        line = self._line.format(logging.makeLogRecord({**record.__dict__, "exc_info": None}))
        super().emit(logging.makeLogRecord({**record.__dict__, "msg": line, "args": ()}))
