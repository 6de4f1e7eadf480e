"""Debug logging leaks no personal data: even with the root logger at DEBUG (as
DJANGO_LOG_LEVEL=DEBUG sets it) and Django's own "django" logger at DEBUG (Django's default
configuration holds it at INFO; whoever debugs Django lowers it), neither the template engine
nor the database backend writes a person's name into the logs."""

import logging

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Person
from tests.factories import case_in

pytestmark = pytest.mark.django_db

NAME = "Zofia Wąsik-Ærø"


class _Everything(logging.Handler):
    """Every record, formatted with its traceback, as a handler would write it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.fixture
def logged_at_debug():
    root = logging.getLogger()
    lowered = [root, logging.getLogger("django")]
    levels = [logger.level for logger in lowered]
    handler = _Everything()
    for logger in lowered:
        logger.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler.texts
    finally:
        root.removeHandler(handler)
        for logger, level in zip(lowered, levels, strict=True):
            logger.setLevel(level)


def test_the_capture_hears_debug_records(logged_at_debug):
    logging.getLogger("cases.views").debug("heard %s", NAME)
    logging.getLogger("django.request").debug("heard %s", NAME)
    assert len([text for text in logged_at_debug if NAME in text]) == 2


def test_with_the_root_logger_at_debug_no_name_reaches_the_logs(
    logged_at_debug, login, hanne, tove, karin
):
    case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=karin)
    services.person_update(actor=tove, case_id=case.pk, version=case.version, data={"name": NAME})
    # A page showing the name, and a template that looks up a variable the context lacks
    # (at DEBUG the engine logs the failed lookup with the whole context).
    page = login(karin).get(reverse("cases:detail", args=[case.pk]))
    assert NAME in page.content.decode()
    Template("{{ name }} {{ missing.field }}").render(Context({"name": NAME}))
    # A query by the name, through a cursor that logs its statements (as under DEBUG).
    with CaptureQueriesContext(connection) as queries:
        assert Person.objects.filter(name=NAME).exists()
    assert any(NAME in str(query["sql"]) for query in queries.captured_queries)

    assert not [text for text in logged_at_debug if NAME in text]
