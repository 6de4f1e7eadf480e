"""No constraint violation the models can raise puts a value into a log line or error mail.

The constraints are read off the models (every check and unique constraint, every unique
field and unique_together, and a NOT NULL column of each of those models), so one added
later is driven here too: a check constraint needs a recipe below that breaks it, and the
test says so until it has one. Each violation is raised by PostgreSQL on a row of a course
whose every free-text field holds the canary, so the error's DETAIL repeats it; the error
then goes through every path that shows errors: the log line of a failed request, of a
failed Celery task, the error report and the error mail.
"""

import io
import logging
from datetime import date, timedelta

import pytest
from celery.utils.saferepr import saferepr
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from guardian.shortcuts import assign_perm

from api.clients import client_create
from api.models import ApiClient, IdempotentRequest, Scope
from cases.models import Person
from cmm.core.errors import (
    PersonalDataExceptionReporter,
    ValueFreeAdminEmailHandler,
    ValueFreeFormatter,
    describe,
)
from tests.retention.test_anonymisation_canary import (  # noqa: F401 (a fixture)
    CANARY,
    course_full_of_canaries,
)
from tests.test_layering import PACKAGES

pytestmark = pytest.mark.django_db

# Every app of the project's packages (a new app is driven here from its first model).
PROJECT_APPS = {
    config.label for config in apps.get_app_configs() if config.name.split(".")[0] in PACKAGES
}

# What breaks each check constraint, as an update of an existing row.
BREAKS = {
    "reflection_period_within_its_maximum": {"total_days": F("max_days") + 1},
    "extension_at_least_a_day": {"days": 0},
    "placement_ends_after_it_starts": {"ends_on": F("starts_on") - timedelta(days=1)},
    "police_report_filed_or_reasoned": {"filed": True, "filed_on": None},
    "payment_positive": {"amount": 0},
}


def project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def constraints() -> list[tuple[type[models.Model], str, object]]:
    """(model, name, constraint) for every constraint the project's models declare."""
    found = []
    for model in project_models():
        named = [(c.name, c) for c in model._meta.constraints]
        named += [
            (f"unique {f.name}", f)
            for f in model._meta.local_fields
            if f.unique and not f.primary_key
        ]
        named += [(f"unique {'+'.join(t)}", t) for t in model._meta.unique_together]
        for name, constraint in named:
            found.append((model, name, constraint))
        if named:
            found.append((model, "not null", None))
    return found


def _copy(row: models.Model) -> models.Model:
    clone = type(row)._base_manager.get(pk=row.pk)
    clone.pk = None
    clone._state.adding = True
    return clone


def _some_row(model: type[models.Model], case) -> models.Model:
    row = model._base_manager.order_by("pk").first()
    if row is not None:
        return row
    if model._meta.label == "cases.DigestSent":
        return model._base_manager.create(user=case.contact_person, day=date(2026, 1, 5))
    if model._meta.label == "core.UserSession":
        return model._base_manager.create(user=case.contact_person, session_key=CANARY)
    if model._meta.label == "cases.CaseGroupObjectPermission":
        group = Group.objects.create(name=f"group {CANARY}")
        assign_perm("cases.view_case", group, case)
        return model._base_manager.get(group=group)
    if model._meta.app_label == "api":
        client = (
            ApiClient.objects.first()
            or client_create(
                actor=None,
                name=f"Partner {CANARY}",
                partner_type="police",
                contact=CANARY,
                scopes=[Scope.INQUIRIES_SUBMIT],
                expires_on=date.today() + timedelta(days=30),
            )[0]
        )
        if model is IdempotentRequest:
            return model.objects.create(client=client, key=CANARY, fingerprint=CANARY)
        return model._base_manager.order_by("pk").first()
    raise AssertionError(f"no row of {model._meta.label} to break; build one here")


def violate(model, name: str, constraint, case) -> IntegrityError:
    row = _some_row(model, case)
    rows = model._base_manager.filter(pk=row.pk)
    try:
        with transaction.atomic():
            if isinstance(constraint, models.CheckConstraint):
                assert name in BREAKS, f"add a recipe that breaks {name} to BREAKS"
                rows.update(**BREAKS[name])
            elif constraint is None:
                column = next(
                    f
                    for f in model._meta.concrete_fields
                    if not f.null and not f.primary_key and not f.has_default()
                )
                rows.update(**{column.attname: None})
            else:
                if name == "unique_imported_person":
                    rows.update(source_ref=CANARY)
                model._base_manager.bulk_create([_copy(row)])
    except IntegrityError as error:
        return error
    raise AssertionError(f"{model._meta.label} {name} was not violated")


def _failed_request(error: Exception) -> logging.LogRecord:
    """The record django.request logs for a page that raised `error`."""
    return logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/cases/1/",),
        (type(error), error, error.__traceback__),
    )


def _request_log_line(error: Exception) -> str:
    return ValueFreeFormatter("%(message)s").format(_failed_request(error))


def _celery_log_line(error: Exception) -> str:
    # As celery.app.trace logs a failed task: the exception's repr pre-rendered.
    context = {"name": "t", "id": "1", "exc": saferepr(error), "traceback": str(error)}
    record = logging.LogRecord(
        "celery.app.trace",
        logging.ERROR,
        __file__,
        1,
        "Task %(name)s[%(id)s] raised unexpected: %(exc)s\n%(traceback)s",
        (context,),
        (type(error), error, error.__traceback__),
    )
    return ValueFreeFormatter("%(message)s").format(record)


def _reports(rf, error: Exception) -> list[str]:
    request = rf.get("/cases/1/", {"q": CANARY})
    reporter = PersonalDataExceptionReporter(
        request, type(error), error, error.__traceback__, is_email=True
    )
    return [reporter.get_traceback_text(), reporter.get_traceback_html()]


def _mail(rf, error: Exception, settings) -> str:
    settings.ADMINS = [("drift", "drift@example.invalid")]
    mail.outbox.clear()
    record = _failed_request(error)
    record.request = rf.get("/cases/1/")
    record.request_id = "req-canary-test"
    ValueFreeAdminEmailHandler().emit(record)
    (message,) = mail.outbox
    return f"{message.subject}\n{message.body}"


def test_every_declared_constraint_is_driven():
    names = {name for _, name, _ in constraints()}
    checks = {
        c.name
        for m in project_models()
        for c in m._meta.constraints
        if isinstance(c, models.CheckConstraint)
    }
    assert checks <= set(BREAKS), "a check constraint without a recipe"
    assert len(names) >= 15, "the models' constraints were not found"


def test_no_constraint_violation_shows_a_value(course_full_of_canaries, rf, settings):  # noqa: F811
    driven, held_canary = [], []
    for model, name, constraint in constraints():
        error = violate(model, name, constraint, course_full_of_canaries)
        message = str(error)
        detail = message.split("DETAIL:", 1)[-1].strip()
        assert detail and detail != message, f"{name}: PostgreSQL gave no DETAIL"
        if CANARY in message:
            held_canary.append(name)
        described = describe(error)
        assert described.startswith("django.db.utils.IntegrityError")
        assert "constraint=" in described or "column=" in described, described
        if isinstance(constraint, models.BaseConstraint):
            assert f"constraint={constraint.name}" in described
        outputs = [_request_log_line(error), _celery_log_line(error), _mail(rf, error, settings)]
        outputs += _reports(rf, error)
        for text in outputs:
            assert "IntegrityError" in text
            assert CANARY not in text, f"{model._meta.label} {name} leaked the canary"
            assert detail not in text, f"{model._meta.label} {name} leaked its DETAIL"
            assert message not in text
        driven.append(name)
    assert len(driven) == len(constraints())
    # The rows with free text repeat it in their DETAIL: the test would see a leak.
    assert len(held_canary) >= 5, held_canary


def test_a_validation_error_is_logged_by_its_field_and_code_not_by_what_was_typed():
    person = Person(name="x", gender=CANARY)
    try:
        person.full_clean()
    except ValidationError as error:
        assert CANARY in str(error), "Django's message repeats the value"
        line = _request_log_line(error)
        assert "field=gender(invalid_choice)" in line
        assert CANARY not in line
    else:
        raise AssertionError("no validation error")


def test_an_exception_raised_from_another_shows_both_types_and_neither_message():
    try:
        try:
            {}[CANARY]
        except KeyError as inner:
            raise RuntimeError(f"lookup of {CANARY} failed") from inner
    except RuntimeError as error:
        line = _request_log_line(error)
    assert "KeyError" in line and "RuntimeError" in line
    assert "test_error_canary.py" in line, "the frames are kept"
    assert CANARY not in line


@pytest.fixture
def console_output():
    """What the configured console handler (settings.LOGGING) writes."""
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, ValueFreeFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@pytest.mark.urls("tests.core.error_urls")
def test_a_failed_page_gives_the_user_an_id_that_the_log_and_the_mail_carry(
    client, console_output, settings
):
    from tests.core.error_urls import CANARY_NAME

    settings.ADMINS = [("drift", "drift@example.invalid")]
    client.raise_request_exception = False
    response = client.get("/test-fails/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    page = response.content.decode()
    assert request_id in page and "fejlnummer" in page
    logged = console_output.getvalue()
    assert f"[{request_id}]" in logged
    assert "IntegrityError" in logged and "column=gender" in logged
    (message,) = mail.outbox
    assert request_id in message.subject and request_id in message.body
    for text in (logged, message.subject, message.body, page):
        assert CANARY_NAME not in text
        assert "Failing row" not in text


def test_a_proxys_request_id_is_kept_only_when_it_is_a_plain_token(client):
    assert client.get("/login/", HTTP_X_REQUEST_ID="lb-4f2a9c1e")["X-Request-ID"] == "lb-4f2a9c1e"
    offered = "<script>Søren</script>"
    kept = client.get("/login/", HTTP_X_REQUEST_ID=offered)["X-Request-ID"]
    assert kept != offered and len(kept) == 32
