from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases import services
from cases.models import Case, CaseState, Extension, PoliceReport, ReflectionPeriod
from cmm.audit.models import AuditEvent
from cmm.core.exceptions import Refused
from tests.factories import case_in, decided_earlier

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def make(hanne, tove, karin):
    def _make(state, **kw):
        return case_in(state, hotline=hanne, supervisor=tove, contact=karin, **kw)

    return _make


@pytest.fixture
def supported(make, karin):
    """A case whose person accepted the offer: receiving support, no legal residence."""

    def _supported(**kw):
        # Decided well before the periods these tests start in the past.
        return decided_earlier(make("in_support", **kw), date(2025, 1, 1))

    return _supported


def fresh(case):
    return Case.objects.get(pk=case.pk)


def start_period(case, karin, starts_on, granted_by="immigration_service"):
    return services.reflection_start(
        actor=karin,
        case_id=case.pk,
        version=fresh(case).version,
        starts_on=starts_on,
        granted_by=granted_by,
    )


def extend(case, user, days, granted_on=None, reason="testimony"):
    return services.reflection_extend(
        actor=user,
        case_id=case.pk,
        version=fresh(case).version,
        days=days,
        reason=reason,
        granted_on=granted_on or timezone.localdate(),
    )


# The offer ------------------------------------------------------------------------------


def test_accepting_the_offer_starts_support(make, karin):
    case = make("assessed_trafficked")
    services.case_answer_offer(
        actor=karin, case_id=case.pk, version=case.version, accepted=True, on=timezone.localdate()
    )
    case = fresh(case)
    assert (case.state, case.offer_decided_on) == (CaseState.IN_SUPPORT, timezone.localdate())


def test_declining_the_offer_ends_the_course(make, karin):
    case = make("assessed_trafficked")
    services.case_answer_offer(
        actor=karin, case_id=case.pk, version=case.version, accepted=False, on=timezone.localdate()
    )
    case = fresh(case)
    assert (case.state, case.end_status, case.ended_on) == (
        CaseState.ENDED,
        "declined_offer",
        timezone.localdate(),
    )


def test_the_offer_is_refused_before_the_assessment_and_for_a_colleague(make, karin, kasper):
    interviewing = make("interviewing")
    with pytest.raises(Refused):
        services.case_answer_offer(
            actor=karin,
            case_id=interviewing.pk,
            version=interviewing.version,
            accepted=True,
            on=timezone.localdate(),
        )
    case = make("assessed_trafficked")
    with pytest.raises(PermissionDenied):
        services.case_answer_offer(
            actor=kasper,
            case_id=case.pk,
            version=case.version,
            accepted=True,
            on=timezone.localdate(),
        )
    with pytest.raises(Refused):
        services.case_answer_offer(
            actor=karin,
            case_id=case.pk,
            version=case.version,
            accepted=True,
            on=timezone.localdate() - timedelta(days=1),
        )


# The reflection period and its 120-day bound -------------------------------------------


def test_the_period_is_30_days_counting_the_first(supported, karin):
    case = supported()
    period = start_period(case, karin, date(2026, 3, 1))
    assert period.ends_on == date(2026, 3, 30)


def test_a_leap_year_february_has_29_days(supported, karin):
    case = supported()
    period = start_period(case, karin, date(2028, 2, 1))
    assert period.ends_on == date(2028, 3, 1)
    leap = supported()
    assert start_period(leap, karin, date(2027, 2, 1)).ends_on == date(2027, 3, 2)


def test_the_granting_authority_follows_the_residence_status(supported, karin):
    case = supported(residence="legal_residence")
    with pytest.raises(Refused):
        start_period(case, karin, timezone.localdate(), granted_by="immigration_service")
    assert start_period(case, karin, timezone.localdate(), granted_by="cmm").granted_by == "cmm"
    with pytest.raises(Refused):
        start_period(case, karin, timezone.localdate(), granted_by="cmm")


def test_no_period_starts_before_the_decision(make, karin):
    case = decided_earlier(make("in_support"), timezone.localdate() - timedelta(days=3))
    with (
        translation.override("en"),
        pytest.raises(Refused, match="cannot start before the decision"),
    ):
        start_period(case, karin, timezone.localdate() - timedelta(days=4))
    assert not ReflectionPeriod.objects.filter(case=case).exists()
    # The day of the decision itself is the earliest start.
    period = start_period(case, karin, timezone.localdate() - timedelta(days=3))
    assert period.starts_on == timezone.localdate() - timedelta(days=3)


def test_no_period_before_the_offer_is_accepted(make, karin):
    case = make("assessed_trafficked")
    with pytest.raises(Refused):
        start_period(case, karin, timezone.localdate())


def test_extensions_by_the_immigration_service_count_at_once_up_to_120(supported, karin):
    case = supported()
    start = timezone.localdate() - timedelta(days=10)
    period = start_period(case, karin, start)
    extend(case, karin, 60)
    extend(case, karin, 30)
    period.refresh_from_db()
    assert period.total_days == 120
    assert period.ends_on == start + timedelta(days=119)
    with translation.override("en"), pytest.raises(Refused, match="0 days can still be added"):
        extend(case, karin, 1)
    period.refresh_from_db()
    assert period.total_days == 120


def test_one_extension_past_120_is_refused_whole(supported, karin):
    case = supported()
    start_period(case, karin, timezone.localdate())
    with pytest.raises(Refused):
        extend(case, karin, 91)
    assert not Extension.objects.exists()


def test_the_database_refuses_more_than_the_periods_maximum_whatever_the_route(supported, karin):
    case = supported()
    period = start_period(case, karin, timezone.localdate())
    assert period.max_days == 120
    with pytest.raises(IntegrityError), transaction.atomic():
        ReflectionPeriod.objects.filter(pk=period.pk).update(total_days=121)


def test_an_extension_granted_on_the_last_day_counts_the_day_after_is_too_late(supported, karin):
    case = supported()
    start = timezone.localdate() - timedelta(days=29)  # today is day 30, the last
    period = start_period(case, karin, start)
    assert period.days_left() == 0
    extend(case, karin, 10, granted_on=timezone.localdate())
    period.refresh_from_db()
    assert period.days_left() == 10

    late = supported()
    over = start_period(late, karin, timezone.localdate() - timedelta(days=30))
    assert over.days_left() == -1
    with pytest.raises(Refused, match=over.ends_on.strftime("%d-%m-%Y")):
        extend(late, karin, 10, granted_on=timezone.localdate())


def test_a_cmm_extension_waits_for_a_supervisor_and_counts_towards_the_bound(
    supported, karin, tove
):
    case = supported(residence="legal_residence")
    period = start_period(case, karin, timezone.localdate(), granted_by="cmm")
    extension = extend(case, karin, 90)
    period.refresh_from_db()
    assert extension.status == Extension.Status.PENDING
    assert period.ends_on == timezone.localdate() + timedelta(days=29)
    with pytest.raises(Refused):
        extend(case, karin, 1)  # the pending 90 days already reach 120

    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=karin, extension_id=extension.pk, approve=True)
    services.extension_decide(actor=tove, extension_id=extension.pk, approve=True)
    period.refresh_from_db()
    assert period.ends_on == timezone.localdate() + timedelta(days=119)
    with pytest.raises(Refused):
        services.extension_decide(actor=tove, extension_id=extension.pk, approve=False)


def test_a_rejected_cmm_extension_frees_its_days(supported, karin, tove):
    case = supported(residence="legal_residence")
    period = start_period(case, karin, timezone.localdate(), granted_by="cmm")
    extension = extend(case, karin, 90)
    services.extension_decide(actor=tove, extension_id=extension.pk, approve=False)
    period.refresh_from_db()
    assert (period.total_days, period.ends_on) == (30, timezone.localdate() + timedelta(days=29))
    extend(case, karin, 90)


@pytest.mark.parametrize(
    ("utc_now", "days_left"),
    [
        # 23:30 UTC on 28 March is already 29 March in Copenhagen (winter time).
        (datetime(2026, 3, 28, 23, 30, tzinfo=ZoneInfo("UTC")), 0),
        # 22:30 UTC on 29 March is 00:30 on 30 March, summer time: one hour earlier in UTC.
        (datetime(2026, 3, 29, 22, 30, tzinfo=ZoneInfo("UTC")), -1),
        (datetime(2026, 3, 29, 21, 30, tzinfo=ZoneInfo("UTC")), 0),
    ],
)
def test_days_left_follow_copenhagen_dates_across_the_dst_change(
    supported, karin, utc_now, days_left
):
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=CPH), tick=False):
        case = supported()
        period = start_period(case, karin, date(2026, 2, 28))  # ends 29 March
    with time_machine.travel(utc_now, tick=False):
        assert period.ends_on == date(2026, 3, 29)
        assert period.days_left() == days_left


# Housing -------------------------------------------------------------------------------


def placement(case, karin, starts_on, ends_on=None, end_reason="", housing_type="crisis_centre"):
    return services.placement_add(
        actor=karin,
        case_id=case.pk,
        version=fresh(case).version,
        data={
            "housing_type": housing_type,
            "place": "Krisecenter Syd",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "end_reason": end_reason,
        },
    )


def test_overlapping_placements_are_refused_back_to_back_is_fine(supported, karin):
    case = supported()
    today = timezone.localdate()
    first = placement(case, karin, today - timedelta(days=20))
    with pytest.raises(Refused):
        placement(case, karin, today - timedelta(days=5))
    services.placement_end(
        actor=karin,
        case_id=case.pk,
        version=fresh(case).version,
        placement_id=first.pk,
        ends_on=today - timedelta(days=5),
        reason="moved",
    )
    placement(case, karin, today - timedelta(days=5), housing_type="shelter")  # moved that day
    with pytest.raises(Refused):
        placement(case, karin, today - timedelta(days=30), today - timedelta(days=19), "moved")
    placement(case, karin, today - timedelta(days=40), today - timedelta(days=20), "moved")
    assert case.placements.count() == 3


def test_disappearing_from_a_placement_is_recorded_as_such(supported, karin, login):
    case = supported()
    p = placement(case, karin, timezone.localdate() - timedelta(days=3))
    services.placement_end(
        actor=karin,
        case_id=case.pk,
        version=fresh(case).version,
        placement_id=p.pk,
        ends_on=timezone.localdate(),
        reason="disappeared",
    )
    p.refresh_from_db()
    assert p.end_reason == "disappeared"
    event = AuditEvent.objects.for_object(p).get(action="update")
    assert event.changes["end_reason"] == ["", "disappeared"]


def test_the_current_placement_is_shown_on_the_case_page(supported, karin, login):
    case = supported()
    p = placement(case, karin, timezone.localdate())
    response = login(karin).get(reverse("cases:detail", args=[case.pk]))
    assert response.context["current_placement"] == p


# Police report --------------------------------------------------------------------------


def report(case, karin, **data):
    values = {
        "filed": True,
        "filed_by": "cmm_anonymous",
        "provisions": ["262a"],
        "police_district": "Fyns Politi",
        "filed_on": timezone.localdate(),
        "note": "",
    }
    values.update(data)
    return services.police_report_record(
        actor=karin, case_id=case.pk, version=fresh(case).version, data=values
    )


def test_cmm_files_with_the_person_anonymous_without_consent(supported, karin):
    case = supported()
    r = report(case, karin)
    assert (r.filed, r.filed_by, r.provisions) == (True, "cmm_anonymous", ["262a"])


def test_a_report_in_the_persons_name_needs_their_consent(supported, karin):
    case = supported()
    with pytest.raises(Refused):
        report(case, karin, filed_by="person_assisted")
    services.consent_record(
        actor=karin,
        case_id=case.pk,
        kind="named_police_report",
        given=True,
        given_on=timezone.localdate(),
    )
    r = report(case, karin, filed_by="person_assisted", provisions=["262b", "262a"])
    assert r.provisions == ["262a", "262b"]


def test_not_filed_needs_a_reason_and_filed_needs_its_details(supported, karin):
    case = supported()
    with pytest.raises(Refused):
        report(case, karin, filed=False, not_filed_reason="")
    with pytest.raises(Refused):
        report(case, karin, provisions=[])
    r = report(case, karin, filed=False, not_filed_reason="exploitation_abroad")
    assert (r.filed, r.filed_by, r.provisions, r.filed_on) == (False, "", [], None)


def test_the_database_refuses_a_report_both_filed_and_not(supported, karin):
    case = supported()
    with pytest.raises(IntegrityError), transaction.atomic():
        PoliceReport.objects.create(
            case=case,
            filed=True,
            filed_by="cmm_anonymous",
            police_district="Fyns Politi",
            filed_on=timezone.localdate(),
            not_filed_reason="other",
            recorded_by=karin,
        )


def test_no_police_report_before_the_assessment(make, karin):
    case = make("interviewing")
    with pytest.raises(Refused):
        report(case, karin)


# Minors and services -----------------------------------------------------------------


def test_minor_arrangements_only_for_a_minor(supported, karin, tove):
    case = supported()
    data = {
        "representative": "Repræsentant R",
        "municipality": "Odense",
        "placement": "foster_care",
    }
    with pytest.raises(Refused):
        services.minor_care_update(actor=karin, case_id=case.pk, version=case.version, data=data)
    services.person_update(
        actor=tove,
        case_id=case.pk,
        version=fresh(case).version,
        data={"birth_date": timezone.localdate() - timedelta(days=16 * 366)},
    )
    care = services.minor_care_update(
        actor=karin, case_id=case.pk, version=fresh(case).version, data=data
    )
    assert (care.municipality, care.placement) == ("Odense", "foster_care")


def test_support_services_are_logged_with_dates(supported, karin):
    case = supported()
    s = services.service_add(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        data={"kind": "psychologist", "given_on": timezone.localdate(), "until": None, "note": ""},
    )
    assert AuditEvent.objects.for_object(s).filter(action="create").exists()
    with pytest.raises(Refused):
        services.service_add(
            actor=karin,
            case_id=case.pk,
            version=fresh(case).version,
            data={
                "kind": "psychologist",
                "given_on": timezone.localdate(),
                "until": timezone.localdate() - timedelta(days=1),
            },
        )


# The end of a course and reopening ------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        "no_show",
        "municipal_care",
        "left_on_own",
        "released_to_street",
        "left_with_cmm_ticket",
        "residence_granted",
    ],
)
def test_each_direct_end_of_a_course(supported, karin, status):
    case = supported()
    services.case_end(
        actor=karin, case_id=case.pk, version=case.version, status=status, on=timezone.localdate()
    )
    case = fresh(case)
    assert (case.state, case.end_status) == (CaseState.ENDED, status)


def test_ends_recorded_elsewhere_or_with_housing_open_are_refused(supported, karin):
    case = supported()
    for status in ("prepared_return", "declined_offer", "nonsense"):
        with pytest.raises(Refused):
            services.case_end(
                actor=karin,
                case_id=case.pk,
                version=case.version,
                status=status,
                on=timezone.localdate(),
            )
    placement(case, karin, timezone.localdate())
    with translation.override("en"), pytest.raises(Refused, match="housing placement"):
        services.case_end(
            actor=karin,
            case_id=case.pk,
            version=fresh(case).version,
            status="no_show",
            on=timezone.localdate(),
        )
    assert fresh(case).state == CaseState.IN_SUPPORT


def test_a_supervisor_reopens_with_a_reason_a_contact_person_cannot(supported, karin, tove):
    case = supported()
    services.case_end(
        actor=karin,
        case_id=case.pk,
        version=case.version,
        status="no_show",
        on=timezone.localdate(),
    )
    with pytest.raises(PermissionDenied):
        services.case_reopen(
            actor=karin, case_id=case.pk, version=fresh(case).version, reason="Dukkede op"
        )
    with pytest.raises(Refused):
        services.case_reopen(actor=tove, case_id=case.pk, version=fresh(case).version, reason=" ")
    services.case_reopen(
        actor=tove, case_id=case.pk, version=fresh(case).version, reason="Dukkede op igen"
    )
    case = fresh(case)
    assert (case.state, case.end_status, case.ended_on) == (CaseState.IN_SUPPORT, "", None)
    event = AuditEvent.objects.for_object(case).filter(transition="reopen").get()
    assert (event.actor, event.reason) == (tove, "Dukkede op igen")


def test_ending_from_the_wrong_state_is_refused(make, karin):
    case = make("assessed_trafficked")
    with pytest.raises(Refused):
        services.case_end(
            actor=karin,
            case_id=case.pk,
            version=case.version,
            status="no_show",
            on=timezone.localdate(),
        )


# Pages ---------------------------------------------------------------------------------


def test_the_case_page_runs_a_fixed_number_of_queries_with_many_placements_and_notes(
    supported, karin, tove, login
):
    case = supported(residence="legal_residence")
    start_period(case, karin, timezone.localdate() - timedelta(days=200), granted_by="cmm")
    client = login(karin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    day = timezone.localdate() - timedelta(days=200)
    for i in range(10):
        placement(
            case, karin, day + timedelta(days=10 * i), day + timedelta(days=10 * i + 5), "moved"
        )
        services.note_add(actor=karin, case_id=case.pk, text=f"Notat {i}")
        services.service_add(
            actor=karin,
            case_id=case.pk,
            version=fresh(case).version,
            data={"kind": "legal_aid", "given_on": day, "until": None, "note": ""},
        )
        report(case, karin)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cases:detail", args=[case.pk]))
    assert len(response.context["placements"]) == 10
    assert len(many) == len(few)


def test_support_steps_through_the_pages(supported, karin, tove, login):
    case = supported(residence="legal_residence")
    client = login(karin)
    client.cookies.load({"django_language": "en"})

    def step(name, **data):
        return client.post(
            reverse("cases:step", args=[case.pk, name]), {"version": fresh(case).version, **data}
        )

    assert (
        step("reflection", starts_on=timezone.localdate().isoformat(), granted_by="cmm").status_code
        == 302
    )
    assert (
        step(
            "extend", days="30", reason="pregnancy", granted_on=timezone.localdate().isoformat()
        ).status_code
        == 302
    )
    extension = Extension.objects.get()
    boss = login(tove)
    boss.post(
        reverse("cases:extension_decide", args=[case.pk]),
        {"extension": extension.pk, "approve": "yes"},
    )
    extension.refresh_from_db()
    assert extension.is_approved

    response = step("police-report", filed="yes", filed_by="", provisions=["262a"])
    assert response.status_code == 200
    assert "Needed for a filed report." in response.content.decode()
    response = step("police-report", filed="no", not_filed_reason="person_wish_respected")
    assert response.status_code == 302
    assert (
        step("end", status="residence_granted", on=timezone.localdate().isoformat()).status_code
        == 302
    )
    assert fresh(case).state == CaseState.ENDED
    assert boss.get(reverse("cases:step", args=[case.pk, "reopen"])).status_code == 200
    assert client.get(reverse("cases:step", args=[case.pk, "reopen"])).status_code == 403
