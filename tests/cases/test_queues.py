from datetime import date, datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as registry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

import rules
from cases import queues, services
from cases.models import Case
from cmm.audit.models import AuditEvent
from cmm.core.workdays import is_working_day, previous_working_day
from referrals import services as referral_services
from referrals.models import InquiryPerson
from repatriation import services as return_services
from tests.factories import (
    case_in,
    decided_earlier,
    inquiry_data,
    make_inquiry,
    person_data,
    referred_case,
)

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


def members(slug, user, now=None):
    return list(queues.queue_records(queues.BY_SLUG[slug], user, now))


@pytest.fixture
def make(hanne, tove, karin):
    def _make(state, contact=karin, **kw):
        return case_in(state, hotline=hanne, supervisor=tove, contact=contact, **kw)

    return _make


def supported(make, karin, **kw):
    # Decided well before the periods these tests start in the past.
    return decided_earlier(make("in_support", **kw), date(2025, 1, 1))


# Working days -------------------------------------------------------------------------------


def test_the_danish_calendar_knows_easter_and_weekends():
    danish = rules.at(date(2026, 4, 2)).calendar
    assert not is_working_day(date(2026, 4, 2), danish)  # Maundy Thursday
    assert not is_working_day(date(2026, 4, 6), danish)  # Easter Monday
    assert not is_working_day(date(2026, 11, 21), danish)  # Saturday
    assert is_working_day(date(2026, 11, 23), danish)
    assert previous_working_day(date(2026, 4, 7), danish) == date(2026, 4, 1)


# Inquiries not triaged within a working day --------------------------------------------------


@pytest.mark.parametrize(
    ("received", "now", "overdue"),
    [
        # An ordinary week: received Monday, due by the end of Tuesday.
        (datetime(2026, 11, 23, 9, 0), datetime(2026, 11, 24, 23, 59), False),
        (datetime(2026, 11, 23, 9, 0), datetime(2026, 11, 25, 0, 1), True),
        # Received Friday afternoon or on Saturday: due by the end of Monday.
        (datetime(2026, 11, 20, 15, 0), datetime(2026, 11, 23, 16, 0), False),
        (datetime(2026, 11, 21, 12, 0), datetime(2026, 11, 24, 8, 0), True),
        # Easter: received on the Wednesday before, due by the end of the Tuesday after.
        (datetime(2026, 4, 1, 9, 0), datetime(2026, 4, 7, 10, 0), False),
        (datetime(2026, 3, 31, 23, 0), datetime(2026, 4, 7, 10, 0), True),
    ],
)
def test_untriaged_inquiries_follow_working_days(hanne, tove, received, now, overdue):
    inquiry = make_inquiry(hanne, received_at=received.replace(tzinfo=CPH))
    assert (inquiry in members("untriaged", tove, now.replace(tzinfo=CPH))) is overdue


def test_urgent_inquiries_stay_until_triage_ends_them(hanne, tove):
    urgent = make_inquiry(hanne, urgency="custody")
    calm = make_inquiry(hanne)
    done = make_inquiry(hanne, urgency="custody", state="closed")
    assert members("urgent-inquiries", tove) == [urgent]
    assert calm not in members("urgent-inquiries", tove) and done not in members(
        "urgent-inquiries", tove
    )


# Case queues -------------------------------------------------------------------------------


def test_cases_move_through_the_queues_with_their_state(make, tove):
    unassigned = make("awaiting_assignment")
    waiting = make("awaiting_interview")
    cmm = make("awaiting_cmm_assessment", residence="legal_residence")
    decision = make("report_sent_to_immigration_service")
    assert members("unassigned", tove) == [unassigned]
    assert members("awaiting-interview", tove) == [waiting]
    assert members("awaiting-cmm", tove) == [cmm]
    assert members("awaiting-decision", tove) == [decision]


@pytest.mark.parametrize(("days_left", "member"), [(6, True), (7, True), (8, False), (-1, True)])
def test_reflection_periods_ending_within_seven_days_or_over(make, karin, tove, days_left, member):
    case = supported(make, karin)
    ends_on = timezone.localdate() + timedelta(days=days_left)
    services.reflection_start(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        starts_on=ends_on - timedelta(days=29),
        granted_by="immigration_service",
    )
    assert (case in members("reflection-ending", tove)) is member


def test_an_approved_extension_takes_a_case_out_of_the_reflection_queue(make, karin, tove):
    case = supported(make, karin, residence="legal_residence")
    period = services.reflection_start(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        starts_on=timezone.localdate() - timedelta(days=25),
        granted_by="cmm",
    )
    extension = services.reflection_extend(
        actor=karin,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        days=30,
        reason="testimony",
        granted_on=timezone.localdate(),
    )
    assert case in members("reflection-ending", tove)  # awaiting approval: the old end holds
    services.extension_decide(actor=tove, extension_id=extension.pk, approve=True)
    period.refresh_from_db()
    assert case not in members("reflection-ending", tove)


@pytest.mark.parametrize(("days", "member"), [(29, False), (31, True)])
def test_cases_with_no_activity_for_30_days(make, tove, days, member):
    with time_machine.travel(timezone.now() - timedelta(days=days)):
        case = make("awaiting_interview")
    assert (case in members("inactive", tove)) is member


@pytest.mark.parametrize(("days", "member"), [(29, False), (31, True)])
def test_prepared_returns_with_no_step_for_30_days(make, karin, tove, days, member):
    with time_machine.travel(timezone.now() - timedelta(days=days)):
        case = supported(make, karin)
        prepared = return_services.return_start(
            actor=karin, case_id=case.pk, case_version=case.version
        )
    assert (prepared in members("returns-stalled", tove)) is member


def test_reintegration_payments_due_from_the_day_of_return(make, karin, tove):
    case = supported(make, karin)
    prepared = return_services.return_start(actor=karin, case_id=case.pk, case_version=case.version)
    prepared = return_services.return_update(
        actor=karin,
        return_id=prepared.pk,
        version=prepared.version,
        data={"departure_on": timezone.localdate() + timedelta(days=1)},
    )
    assert prepared not in members("payments-due", tove)
    prepared = return_services.return_update(
        actor=karin,
        return_id=prepared.pk,
        version=prepared.version,
        data={"departure_on": timezone.localdate()},
    )
    assert prepared in members("payments-due", tove)


def test_a_contact_person_sees_the_same_queues_limited_to_their_own_cases(make, karin, kasper):
    mine = make("awaiting_interview")
    theirs = make("awaiting_interview", contact=kasper)
    assert members("awaiting-interview", karin) == [mine]
    assert members("awaiting-interview", kasper) == [theirs]
    assert members("urgent-inquiries", karin) == []


# Pages -------------------------------------------------------------------------------------


def test_every_queue_page_runs_a_fixed_number_of_queries(make, login, tove, hanne):
    client = login(tove)
    params = {"minor": "no", "sort": "name"}
    make("awaiting_interview")
    make_inquiry(hanne, urgency="custody")
    referred_case(hanne)
    few = {}
    for queue in queues.QUEUES:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:queue", args=[queue.slug]), params).status_code == 200
        few[queue.slug] = len(ctx)
    for _ in range(4):
        make("awaiting_interview")
        make_inquiry(hanne, urgency="custody")
        referred_case(hanne)
    for queue in queues.QUEUES:
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("cases:queue", args=[queue.slug]), params)
        assert len(ctx) == few[queue.slug], queue.slug


def test_filters_narrow_a_queue(make, login, tove, karin, kasper):
    mine = make("awaiting_interview")
    theirs = make("awaiting_interview", contact=kasper)
    client = login(tove)
    url = reverse("cases:queue", args=["awaiting-interview"])
    assert list(client.get(url, {"contact": karin.pk}).context["page"].object_list) == [mine]
    assert list(client.get(url, {"contact": kasper.pk}).context["page"].object_list) == [theirs]
    assert list(client.get(url, {"nationality": "NG"}).context["page"].object_list) != []
    assert list(client.get(url, {"nationality": "TH"}).context["page"].object_list) == []
    assert list(client.get(url, {"minor": "yes"}).context["page"].object_list) == []


def test_bulk_reassignment_moves_cases_and_permissions_together(make, login, tove, karin, kasper):
    first, second = make("awaiting_interview"), make("interviewing")
    response = login(tove).post(
        reverse("cases:bulk_reassign"),
        {"cases": [first.pk, second.pk], "contact_person": kasper.pk, "next": "/cases/queues/"},
    )
    assert response.status_code == 302
    for case in (first, second):
        case = Case.objects.get(pk=case.pk)
        assert case.contact_person == kasper
        assert kasper.has_perm("cases.work_on_case", case)
        assert not karin.has_perm("cases.view_case", case)
    assert login(karin).get(reverse("cases:detail", args=[first.pk])).status_code == 404


def test_bulk_reassignment_is_all_or_nothing(make, tove, karin, kasper):
    case = make("awaiting_interview")
    ended = make("assessed_not_trafficked")
    with pytest.raises(Exception):  # noqa: B017 - the refusal type is not the point
        services.cases_reassign(actor=tove, case_ids=[case.pk, ended.pk], contact_person=kasper)
    assert Case.objects.get(pk=case.pk).contact_person == karin


def test_only_supervisors_reassign_in_bulk_and_see_workload(make, login, karin, kasper):
    case = make("awaiting_interview")
    client = login(karin)
    assert (
        client.post(
            reverse("cases:bulk_reassign"), {"cases": [case.pk], "contact_person": kasper.pk}
        ).status_code
        == 403
    )
    assert client.get(reverse("cases:workload")).status_code == 403


def test_workload_counts_open_cases_by_state(make, login, tove, karin):
    make("awaiting_interview")
    make("interviewing")
    make("assessed_not_trafficked")
    rows = login(tove).get(reverse("cases:workload")).context["rows"]
    karins = next(r for r in rows if r["user"] == karin)
    assert karins["total"] == 2


# Search ------------------------------------------------------------------------------------


def test_search_is_accent_and_case_insensitive_and_audited(make, login, tove, karin):
    case = make("awaiting_interview")
    services.person_update(
        actor=tove,
        case_id=case.pk,
        version=Case.objects.get(pk=case.pk).version,
        data={"name": "Søren Ålund", "aliases": ["Zoran"]},
    )
    client = login(tove)
    for query in ("soeren aalund", "SØREN", "alund", "zoran", case.reference.lower()):
        found = client.post(reverse("search"), {"q": query}).context["cases"]
        assert [c.pk for c in found] == [case.pk], query
    event = AuditEvent.objects.filter(action="search", actor=tove).latest("id")
    assert event.changes == {"query": case.reference.lower(), "results": 1}


def test_inquiry_search_folds_names_as_the_case_search_does(login, hanne):
    inquiry = referral_services.inquiry_create(
        actor=hanne,
        data=inquiry_data(),
        persons=[person_data(alias="Søren Ålund"), person_data(alias="Maja")],
    )
    client = login(hanne)
    for query in ("soeren aalund", "SØREN", "alund", "Søren Å", "maja"):
        found = client.post(reverse("search"), {"q": query}).context["inquiries"]
        assert [i.pk for i in found] == [inquiry.pk], query
    # Every word must begin a word of one person's name.
    for query in ("øren", "søren maja", "soren x"):
        assert client.post(reverse("search"), {"q": query}).context["inquiries"] == [], query
    # A corrected alias is found by its new spelling, not the old one.
    person = inquiry.persons.get(alias="Maja")
    person.alias = "Mira Holm"
    person.save(update_fields=["alias"])
    assert client.post(reverse("search"), {"q": "maja"}).context["inquiries"] == []
    found = client.post(reverse("search"), {"q": "holm"}).context["inquiries"]
    assert [i.pk for i in found] == [inquiry.pk]


def test_the_alias_keys_of_existing_inquiries_are_filled_by_the_migration(hanne):
    migration = import_module("referrals.migrations.0003_inquiry_person_alias_key")
    inquiry = make_inquiry(hanne)
    InquiryPerson.objects.update(alias_key="")
    migration.fill_alias_keys(registry, None)
    assert inquiry.persons.get().alias_key == " testperson 1 "


def test_search_shows_only_what_each_role_may_see(
    make, login, hanne, tove, karin, kasper, stig, anna
):
    case = make("awaiting_interview")
    inquiry = case.inquiry_persons.get().inquiry
    q = {"q": case.reference}
    assert [c.pk for c in login(karin).post(reverse("search"), q).context["cases"]] == [case.pk]
    assert login(kasper).post(reverse("search"), q).context["cases"] == []
    assert login(hanne).post(reverse("search"), q).context["cases"] == []
    assert [
        i.pk
        for i in login(hanne).post(reverse("search"), {"q": inquiry.reference}).context["inquiries"]
    ] == [inquiry.pk]
    assert login(karin).post(reverse("search"), {"q": inquiry.reference}).context["inquiries"] == []
    assert login(stig).post(reverse("search"), q).status_code == 403
    assert login(anna).post(reverse("search"), q).status_code == 403


def test_work_on_a_prepared_return_counts_as_activity_on_the_case(make, karin, tove):
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        case = supported(make, karin)
        prepared = return_services.return_start(
            actor=karin, case_id=case.pk, case_version=case.version
        )
    assert case in members("inactive", tove)
    return_services.return_update(
        actor=karin, return_id=prepared.pk, version=prepared.version, data={"risk_level": "low"}
    )
    assert case not in members("inactive", tove)


def test_the_inquiry_search_also_compiles_for_sqlite_the_embedded_default():
    """`make run` uses SQLite, which refuses ORDER BY inside the halves of a UNION."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from cases.selectors import search_inquiries

    sqlite = DatabaseWrapper({**connection.settings_dict, "NAME": ":memory:"}, alias="sqlite")
    sql, params = search_inquiries("Maria Jensen").query.get_compiler(connection=sqlite).as_sql()
    assert "UNION" in sql and "% maria%" in params


def test_the_queue_titles_say_the_limits_the_queues_use():
    limits = rules.today().queues
    with translation.override("da"):
        assert (
            str(queues.BY_SLUG["inactive"].title)
            == f"Ingen aktivitet i {limits.inactive_days} dage"
        )
        assert str(queues.BY_SLUG["returns-stalled"].title).endswith(
            f"{limits.stalled_return_days} dage"
        )
        assert f"inden for {limits.reflection_warning_days} dage" in str(
            queues.BY_SLUG["reflection-ending"].title
        )
    with translation.override("en"):
        assert (
            str(queues.BY_SLUG["inactive"].title) == f"No activity for {limits.inactive_days} days"
        )
