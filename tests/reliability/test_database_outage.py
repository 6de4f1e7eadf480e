"""PostgreSQL restarted under use: the application serves the next request, and a
transition cut off between its state write and its audit event leaves neither."""

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cmm.audit import services as audit
from cmm.audit.models import AuditEvent
from tests.factories import case_in
from tests.race import postgresql_only
from tests.reliability.wsgi import Browser
from tests.servers import restart_postgresql, services_only

pytestmark = [postgresql_only, services_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def persistent_connections():
    """As in production with DATABASE_CONN_MAX_AGE set: a connection outlives its request
    and is reused by the next one, so a restart leaves it dead in the pool."""
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 600
    yield
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = saved


@pytest.fixture
def offered_case(hanne, tove, karin):
    return case_in("assessed_trafficked", hotline=hanne, supervisor=tove, contact=karin)


def terminate_backend(pid: int) -> None:
    """What an administrator's pg_terminate_backend (or an OOM kill) does to one session."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def transitions_of(case: Case) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.TRANSITION, object_id=str(case.pk)
        ).values_list("transition", flat=True)
    )


def test_after_a_restart_the_next_request_is_served(persistent_connections, offered_case, login):
    browser = Browser(login(offered_case.contact_person))
    page = reverse("cases:detail", args=[offered_case.pk])
    assert browser.get(page)[0] == 200
    pid = connection.connection.info.backend_pid  # kept open for the next request

    restart_postgresql()

    status, _ = browser.get(page)
    assert status == 200
    assert connection.connection.info.backend_pid != pid


@pytest.mark.parametrize("cut_off", ["terminate the backend", "restart the server"])
def test_a_transition_cut_off_before_its_audit_event_leaves_no_trace(
    cut_off, offered_case, login, monkeypatch
):
    case = offered_case
    browser = Browser(login(case.contact_person))
    step = reverse("cases:step", args=[case.pk, "offer"])
    answer = {"version": case.version, "accepted": "yes", "on": timezone.localdate().isoformat()}
    assert browser.get(step)[0] == 200
    record = audit.record
    seen = []

    def interrupted_record(actor, action, obj, **kwargs):
        if action == audit.Action.TRANSITION:
            # The state is written in this transaction; its audit event is not yet.
            seen.append(Case.objects.values_list("state", flat=True).get(pk=case.pk))
            if cut_off == "terminate the backend":
                terminate_backend(connection.connection.info.backend_pid)
            else:
                restart_postgresql()
        return record(actor, action, obj, **kwargs)

    monkeypatch.setattr(audit, "record", interrupted_record)
    status, _ = browser.post(step, answer)
    monkeypatch.undo()

    assert seen == ["in_support"], "the cut came after the state write"
    assert status == 500
    # Neither half committed: the state, the version and the trail are as before.
    case.refresh_from_db()
    assert (case.state, case.version) == ("assessed_trafficked", answer["version"])
    assert "accept_offer" not in transitions_of(case)

    # The next requests are served, and the step can simply be taken again.
    assert browser.get(step)[0] == 200
    status, _ = browser.post(step, answer)
    assert status == 302
    case.refresh_from_db()
    assert case.state == "in_support"
    assert transitions_of(case).count("accept_offer") == 1
