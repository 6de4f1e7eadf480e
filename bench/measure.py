"""Server-side timings of the main pages and the statistics export, with each one's SQL
query count and its floor: the hand-written SQL that returns the same rows.

Each page is requested through Django's test client (the whole middleware stack, the
view, the template; no network) by a user of the right role, logged in with both factors:
a few warm-up requests, then BENCH_REQUESTS (200) timed ones. The query count comes from
one more request with the queries captured (capturing slows a request, so it is not
timed). The floor is timed the same number of times on the same connection; the ratio is
page / floor at the median and at p95. Every floor's references must appear on its page,
so a floor cannot be faster by returning something else.

The framework floor is what every page pays before its own work: an empty page (bench/urls.py,
mounted only in the bench) behind the same middleware, login and second factor, requested
by the same logged-in, verified client with the same method as the page, and timed the same
way (warm-up, BENCH_REQUESTS timed requests, p50/p95). Once per run it is checked to be
guarded: anonymous it redirects to the login page, after the password alone to the second
factor. Each page's `ratio_framework` is page / (framework floor + SQL floor), at p50 and
at p95: the yardstick for pages (the SQL floor alone leaves out what every page pays).

Writes var/bench/measure.json; bench/report.py puts it into bench/results.json.
"""

import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from common import (
    BUSY_CONTACT,
    HOTLINE,
    REQUESTS,
    RUN_DIR,
    SUPERVISOR,
    WARM_UP,
    login,
    long_history_case_id,
    spread,
    user,
)
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from measure_api import measure_api

import rules
from bench.urls import FRAMEWORK_FLOOR
from cases.queues import QUEUES, reflection_horizon, untriaged_cutoff
from cmm.core.names import fold

EXPORT_RUNS = int(os.environ.get("BENCH_EXPORT_RUNS", "3"))
# bin/bench's BENCH_PAGES_ONLY=1: the pages without the (long) statistics export.
PAGES_ONLY = os.environ.get("BENCH_PAGES_ONLY") == "1"

# The columns a case list shows: the case, its person, the contact person, and what the
# queue's "waiting" column needs.
CASE_ROW = """
    SELECT c.id, c.reference, c.is_urgent, c.state, c.state_changed_at, c.last_activity_at,
           c.report_sent_on, c.deputy_id, p.name, p.nationality, p.birth_date,
           p.declared_minor, u.username, u.first_name, u.last_name
    FROM cases_case c
    JOIN cases_person p ON p.id = c.person_id
    LEFT JOIN auth_user u ON u.id = c.contact_person_id
"""
INQUIRY_ROW = """
    SELECT i.id, i.reference, i.received_at, i.channel, i.caller_type, i.subject, i.urgency,
           i.urgent_on, i.state,
           (SELECT count(*) FROM referrals_inquiryperson ip WHERE ip.inquiry_id = i.id)
    FROM referrals_inquiry i
"""
RETURN_ROW = """
    SELECT r.id, c.reference, r.state, r.state_changed_at, r.next_payment_due_on, p.name,
           p.birth_date, p.declared_minor, u.username, u.first_name, u.last_name
    FROM repatriation_preparedreturn r
    JOIN cases_case c ON c.id = r.case_id
    JOIN cases_person p ON p.id = c.person_id
    LEFT JOIN auth_user u ON u.id = c.contact_person_id
"""
OPEN_CASE = "c.state NOT IN ('ended', 'assessed_not_trafficked')"  # queues.OPEN_CASE_STATES


def queue_floors(now) -> dict[str, tuple[str, dict]]:
    """Page one of each queue, as a supervisor sees it, in SQL."""
    today = timezone.localdate(now)
    return {
        "unassigned": (
            CASE_ROW + "WHERE c.state = 'awaiting_assignment' "
            "ORDER BY c.is_urgent DESC, c.opened_at, c.id LIMIT 50",
            {},
        ),
        "urgent-inquiries": (
            INQUIRY_ROW + "WHERE i.state IN ('received', 'triaged') AND i.urgency <> 'none' "
            "ORDER BY i.received_at, i.id LIMIT 50",
            {},
        ),
        "untriaged": (
            INQUIRY_ROW + "WHERE i.state = 'received' AND i.received_at < %(cutoff)s "
            "ORDER BY i.received_at, i.id LIMIT 50",
            {"cutoff": untriaged_cutoff(now, rules.today())},
        ),
        "awaiting-interview": (
            CASE_ROW + "WHERE c.state = 'awaiting_interview' "
            "ORDER BY c.is_urgent DESC, c.state_changed_at, c.id LIMIT 50",
            {},
        ),
        "awaiting-cmm": (
            CASE_ROW + "WHERE c.state = 'awaiting_cmm_assessment' "
            "ORDER BY c.state_changed_at, c.id LIMIT 50",
            {},
        ),
        "awaiting-decision": (
            CASE_ROW + "WHERE c.state IN ('report_sent_to_immigration_service', "
            "'pending_in_court') ORDER BY c.report_sent_on, c.id LIMIT 50",
            {},
        ),
        "reflection-ending": (
            CASE_ROW.replace(
                "LEFT JOIN auth_user",
                "JOIN cases_reflectionperiod rp ON rp.case_id = c.id LEFT JOIN auth_user",
            )
            + "WHERE c.state = 'in_support' AND rp.ends_on <= %(horizon)s "
            "ORDER BY rp.ends_on, c.id LIMIT 50",
            {"horizon": reflection_horizon(now, rules.today())},
        ),
        "returns-stalled": (
            RETURN_ROW + "WHERE r.state IN ('application', 'safety', 'plan', 'cooperation', "
            "'travel') AND r.state_changed_at < %(stale)s ORDER BY r.state_changed_at, r.id "
            "LIMIT 50",
            {"stale": now - timedelta(days=rules.today().queues.stalled_return_days)},
        ),
        "payments-due": (
            RETURN_ROW + "WHERE r.state <> 'stopped' AND r.next_payment_due_on <= %(today)s "
            "ORDER BY r.next_payment_due_on, r.id LIMIT 50",
            {"today": today},
        ),
        "inactive": (
            CASE_ROW + f"WHERE {OPEN_CASE} AND c.last_activity_at < %(stale)s "
            "ORDER BY c.last_activity_at, c.id LIMIT 50",
            {"stale": now - timedelta(days=rules.today().queues.inactive_days)},
        ),
    }


def time_page(client, method: str, path: str, data: dict | None) -> tuple[dict, int, bytes]:
    def request():
        response = client.post(path, data) if method == "POST" else client.get(path, data)
        if response.status_code != 200:
            raise RuntimeError(f"{method} {path} answered {response.status_code}")
        return response

    for _ in range(WARM_UP):
        request()
    timings, cpu = [], []
    for _ in range(REQUESTS):
        started, cpu_started = time.perf_counter(), time.process_time()
        request()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    with CaptureQueriesContext(connection) as captured:
        response = request()
    return spread(timings, cpu), len(captured.captured_queries), response.content


def time_floor(queries: list[tuple[str, dict]]) -> tuple[dict, list[tuple]]:
    def run():
        rows = []
        with connection.cursor() as cursor:
            for sql, params in queries:
                cursor.execute(sql, params)
                rows.extend(cursor.fetchall())
        return rows

    for _ in range(WARM_UP):
        run()
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        rows = run()
        timings.append(time.perf_counter() - started)
    return spread(timings), rows


def ratio(page: dict, floor: dict) -> dict:
    return {
        "p50": round(page["p50_ms"] / max(floor["p50_ms"], 0.01), 1),
        "p95": round(page["p95_ms"] / max(floor["p95_ms"], 0.01), 1),
    }


def ratio_framework(page: dict, framework: dict, floor: dict) -> dict:
    """The page as a multiple of what it cannot do without: the framework floor (the empty
    page, same client and method) plus its SQL floor."""
    return {
        q: round(page[f"{q}_ms"] / max(framework[f"{q}_ms"] + floor[f"{q}_ms"], 0.01), 1)
        for q in ("p50", "p95")
    }


def check_framework_floor_guarded(person) -> dict:
    """The empty page is behind login and the second factor, as the pages are (or the
    framework floor would leave their cost out): anonymous, GET and POST go to the login
    page; after the password alone, to the second-factor page."""
    path = reverse(FRAMEWORK_FLOOR)
    half_logged_in = Client()
    half_logged_in.force_login(person)
    seen = {}
    for who, client, target in (
        ("anonymous", Client(), reverse("login")),
        ("password only", half_logged_in, reverse("two_factor_verify")),
    ):
        for method in ("GET", "POST"):
            response = client.post(path) if method == "POST" else client.get(path)
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(target + "?"):
                raise RuntimeError(
                    f"the framework floor {method} {path} is not guarded: {who}, it answered "
                    f"{response.status_code} {location}"
                )
            seen[f"{who} {method}"] = f"{response.status_code} {location}"
    print(
        f"  {'framework floor guarded':<36} anonymous -> {reverse('login')}, "
        f"password only -> {reverse('two_factor_verify')}",
        flush=True,
    )
    return seen


def measure_framework_floor(clients: dict, pages: list) -> tuple[dict, list[dict]]:
    """The empty page timed as the pages are, once for each client and method the pages
    use (a POST carries the page's form data); keyed by (who, method)."""
    path = reverse(FRAMEWORK_FLOOR)
    floors, entries = {}, []
    for _name, who, method, _path, data, _sql in pages:
        if (who, method) in floors:
            continue
        timed, queries, content = time_page(
            clients[who], method, path, data if method == "POST" else None
        )
        if content:
            raise RuntimeError(f"the framework floor {path} is not empty: {content[:80]!r}")
        floors[who, method] = timed
        entries.append(
            {
                "page": f"Framework floor ({who}, {method})",
                "user": who,
                "request": f"{method} {path}",
                **timed,
                "queries": queries,
            }
        )
        print(
            f"  {entries[-1]['page']:<36} p50 {timed['p50_ms']:7.1f} ms  "
            f"p95 {timed['p95_ms']:7.1f} ms  cpu p50 {timed['cpu_p50_ms']:6.1f} ms  "
            f"{queries:3d} queries",
            flush=True,
        )
    return floors, entries


def measure() -> dict:
    now = timezone.now()
    hotline, supervisor, busy = user(HOTLINE), user(SUPERVISOR), user(BUSY_CONTACT)
    clients = {
        "hotline": login(hotline),
        "supervisor": login(supervisor),
        "contact": login(busy),
    }
    long_case = long_history_case_id()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reference, p.name, p.id FROM cases_case c "
            "JOIN cases_person p ON p.id = c.person_id WHERE c.id = %s",
            [long_case],
        )
        long_ref, long_name, long_person = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE contact_person_id = %s OR deputy_id = %s",
            [busy.pk, busy.pk],
        )
        busy_cases = cursor.fetchone()[0]
        cursor.execute(
            "SELECT i.reference FROM referrals_inquiryperson ip "
            "JOIN referrals_inquiry i ON i.id = ip.inquiry_id WHERE ip.case_id = %s",
            [long_case],
        )
        inquiry_refs = [r[0] for r in cursor.fetchall()]
    # A search for a person by full name, as a caseworker types it.
    query = long_name
    tokens = fold(query).split()

    pages: list[tuple[str, str, str, str, dict | None, list[tuple[str, dict]]]] = [
        (
            "Hotline list (open)",
            "hotline",
            "GET",
            "/inquiries/",
            None,
            [
                (
                    INQUIRY_ROW + "WHERE i.state IN ('received', 'triaged') "
                    "ORDER BY CASE WHEN i.urgency = 'none' THEN 1 ELSE 0 END, i.received_at, "
                    "i.id LIMIT 50",
                    {},
                )
            ],
        ),
        (
            "Hotline list (all)",
            "hotline",
            "GET",
            "/inquiries/",
            {"show": "all"},
            [(INQUIRY_ROW + "ORDER BY i.received_at DESC, i.id DESC LIMIT 50", {})],
        ),
    ]
    for queue in QUEUES:
        sql = queue_floors(now)[queue.slug]
        pages.append(
            (
                f"Queue: {queue.slug}",
                "supervisor",
                "GET",
                f"/cases/queues/{queue.slug}/",
                None,
                [sql],
            )
        )
    pages += [
        (
            f"My cases ({busy_cases:,} cases)",
            "contact",
            "GET",
            "/cases/mine/",
            None,
            [
                # The page of 50 ids from the two halves (as contact person, in order from
                # its index; as deputy only), then their rows: faster than an OR of the two.
                (
                    CASE_ROW + "WHERE c.id = ANY(ARRAY(SELECT id FROM ("
                    "SELECT id, state_changed_at FROM cases_case WHERE contact_person_id = %(me)s "
                    "AND state <> 'assessed_not_trafficked' UNION ALL "
                    "SELECT id, state_changed_at FROM cases_case WHERE deputy_id = %(me)s "
                    "AND contact_person_id IS DISTINCT FROM %(me)s "
                    "AND state <> 'assessed_not_trafficked') mine "
                    "ORDER BY state_changed_at, id LIMIT 50)) "
                    "ORDER BY c.state_changed_at, c.id",
                    {"me": busy.pk},
                )
            ],
        ),
        (
            "Case page (long history)",
            "contact",
            "GET",
            f"/cases/{long_case}/",
            None,
            [
                (CASE_ROW + "WHERE c.id = %(id)s", {"id": long_case}),
                # The page shows the latest 50 notes (and says there are more); the floor
                # reads one more, as the page does.
                (
                    "SELECT n.id, n.text, n.written_at, n.corrects_id, u.username "
                    "FROM cases_note n JOIN auth_user u ON u.id = n.author_id "
                    "WHERE n.case_id = %(id)s ORDER BY n.written_at DESC, n.id DESC LIMIT 51",
                    {"id": long_case},
                ),
            ],
        ),
        (
            "Case timeline (long history)",
            "contact",
            "GET",
            f"/cases/{long_case}/timeline/",
            None,
            [
                (CASE_ROW + "WHERE c.id = %(id)s", {"id": long_case}),
                # The latest 100 events (and one more, to say there are more).
                (
                    "SELECT e.id, e.at, e.action, e.object_ref, e.changes, e.transition, "
                    "e.from_state, e.to_state, e.reason, u.username "
                    "FROM audit_auditevent e LEFT JOIN auth_user u ON u.id = e.actor_id "
                    "WHERE (e.object_ref = ANY(%(refs)s) OR e.object_ref LIKE %(prefix)s) "
                    "AND e.action <> 'view' ORDER BY e.at DESC, e.id DESC LIMIT 101",
                    {
                        "refs": [long_ref, f"P{long_person}", *inquiry_refs],
                        "prefix": long_ref + "/%",
                    },
                ),
            ],
        ),
        (
            "Search (a full name)",
            "supervisor",
            "POST",
            "/search/",
            {"q": query},
            [
                # Index-served: the matching persons' ids (trigram index), then their
                # cases by person_id, or'ed with the reference (btree indexes).
                (
                    CASE_ROW
                    + "WHERE c.reference = %(q)s OR c.person_id = ANY(ARRAY("
                    + "SELECT id FROM cases_person WHERE "
                    + " AND ".join(f"name_key LIKE %(t{i})s" for i in range(len(tokens)))
                    + ")) ORDER BY c.opened_at DESC, c.id DESC LIMIT 50",
                    {"q": query, **{f"t{i}": f"% {t}%" for i, t in enumerate(tokens)}},
                ),
                (
                    INQUIRY_ROW
                    + "WHERE upper(i.reference) = upper(%(q)s) OR i.id = ANY(ARRAY("
                    + "SELECT inquiry_id FROM referrals_inquiryperson WHERE "
                    + " AND ".join(f"alias_key LIKE %(t{i})s" for i in range(len(tokens)))
                    + ")) ORDER BY i.received_at DESC, i.id DESC LIMIT 50",
                    {"q": query, **{f"t{i}": f"% {t}%" for i, t in enumerate(tokens)}},
                ),
            ],
        ),
    ]

    guard = check_framework_floor_guarded(supervisor)
    framework_floors, framework_entries = measure_framework_floor(clients, pages)

    results = []
    for name, who, method, path, data, floor_sql in pages:
        page, queries, content = time_page(clients[who], method, path, data)
        floor, rows = time_floor(floor_sql)
        framework = framework_floors[who, method]
        # The floor's rows are the page's: the first query's references are on the page.
        refs = [r[1] for r in rows[:50] if isinstance(r[1], str)]
        missing = [ref for ref in refs if ref.encode() not in content]
        entry = {
            "page": name,
            "user": who,
            "request": f"{method} {path}"
            + (f" {json.dumps(data)}" if data and method == "GET" else ""),
            **page,
            "queries": queries,
            "floor": floor,
            "floor_rows": len(rows),
            "ratio": ratio(page, floor),
            "framework_floor": {
                "request": f"{who} {method}",
                "p50_ms": framework["p50_ms"],
                "p95_ms": framework["p95_ms"],
            },
            "ratio_framework": ratio_framework(page, framework, floor),
            "floor_rows_on_page": not missing,
        }
        results.append(entry)
        print(
            f"  {name:<36} p50 {page['p50_ms']:7.1f} ms  p95 {page['p95_ms']:7.1f} ms  "
            f"cpu p50 {page['cpu_p50_ms']:6.1f} ms  "
            f"{queries:3d} queries  floor p50 {floor['p50_ms']:6.2f} ms  "
            f"/(framework+floor) p50 {entry['ratio_framework']['p50']:4.1f}x "
            f"p95 {entry['ratio_framework']['p95']:4.1f}x"
            + ("" if not missing else f"  ({len(missing)} floor rows not on the page!)"),
            flush=True,
        )

    api = measure_api()
    export = None if PAGES_ONLY else measure_export()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    return {
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "measured_at": now.isoformat(timespec="seconds"),
        "postgresql": server_version,
        "requests_per_page": REQUESTS,
        "long_history_case": {"id": long_case, "reference": long_ref},
        "busy_contact_person_cases": busy_cases,
        "framework_floor": framework_entries,
        "framework_floor_guard": guard,
        "pages": results,
        "api": api,
        "export": export,
    }


def export_parts(year: int) -> dict[str, float]:
    """Milliseconds of each part of the year's export (best of 3), to show where its time
    goes: the statistics' parts (stats/counting.py), the research extract, and the rest
    of export_year (the tables written as JSON, CSV and XLSX)."""
    from stats import counting as s
    from stats import exports, research

    def best(run) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        return round(min(times) * 1000, 1)

    people = s.assessed_in(year)
    parts = {
        "assessed persons (read)": best(lambda: s.assessed_in(year)),
        "assessed tables": best(lambda: s._assessed_table(people)),
        "persons investigated": best(lambda: s._persons_investigated(year)),
        "time series (every year)": best(lambda: s._time_series(year)),
        "prepared returns": best(lambda: s._prepared_returns(year, {p.person_id for p in people})),
        "police reports": best(lambda: s._police_reports(year)),
        "recurring persons": best(lambda: s._recurring(year)),
        "process times": best(lambda: s._process_times(year)),
    }
    # The parts above with the inquiries' counts, as the export computes them.
    parts["all the figures (statistics_for)"] = best(lambda: s.statistics_for(year, people))
    parts["research extract"] = best(lambda: research.research_extract(year, people=people))
    # export_year given the figures it would compute: the JSON, CSV and XLSX writing alone.
    stats = s.statistics_for(year, people)
    extract = research.research_extract(year, people=people)
    with (
        tempfile.TemporaryDirectory() as folder,
        mock.patch.object(exports, "assessed_in", return_value=people),
        mock.patch.object(exports, "statistics_for", return_value=stats),
        mock.patch.object(exports, "research_extract", return_value=extract),
    ):
        parts["writing the files (JSON, CSV, XLSX)"] = best(
            lambda: exports.export_year(year, Path(folder))
        )
    return parts


def measure_export() -> dict:
    """`export_statistics` for last year (a whole year of data), against a single SQL
    aggregate for that year's assessed-by-exploitation table."""
    year = timezone.localdate().year - 1
    floor_sql = """
        SELECT exploitation_form, count(*) FROM (
            SELECT DISTINCT ON (c.person_id) a.exploitation_form
            FROM cases_assessment a JOIN cases_case c ON c.id = a.case_id
            WHERE a.outcome = 'trafficked' AND a.decided_on >= %(start)s
              AND a.decided_on < %(end)s
            ORDER BY c.person_id, a.decided_on, a.id
        ) first_decisions GROUP BY exploitation_form ORDER BY exploitation_form
    """
    params = {"start": f"{year}-01-01", "end": f"{year + 1}-01-01"}
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        with CaptureQueriesContext(connection) as captured:
            call_command(
                "export_statistics", year=year, output=Path(folder) / "warm", stdout=io.StringIO()
            )
        for i in range(EXPORT_RUNS):
            started = time.perf_counter()
            call_command(
                "export_statistics", year=year, output=Path(folder) / str(i), stdout=io.StringIO()
            )
            timings.append(time.perf_counter() - started)
        exported = json.loads((Path(folder) / "0" / f"statistics-{year}.json").read_text())
    floor_times = []
    with connection.cursor() as cursor:
        for _ in range(WARM_UP + 20):
            started = time.perf_counter()
            cursor.execute(floor_sql, params)
            floor_rows = dict(cursor.fetchall())
            floor_times.append(time.perf_counter() - started)
    floor_times = floor_times[WARM_UP:]
    seconds = statistics.median(timings)
    floor_ms = statistics.median(floor_times) * 1000
    # Where the export's time goes: its SQL (the slowest queries named by what they count)
    # and the rest (Python: the tables, the research extract, writing JSON, CSV and XLSX).
    sql_seconds = sum(float(q["time"]) for q in captured.captured_queries)
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]
    # The export's table and the floor's must agree, or the comparison means nothing.
    agrees = {k: v for k, v in floor_rows.items() if k} == exported["assessed"]["by_exploitation"]
    print(
        f"  {'export_statistics ' + str(year):<36} {seconds:7.2f} s (median of {EXPORT_RUNS})  "
        f"{len(captured.captured_queries)} queries  floor {floor_ms:.1f} ms"
        + ("" if agrees else "  (the floor's figures differ!)"),
        flush=True,
    )
    print(
        f"    of which SQL {sql_seconds:.2f} s; slowest queries "
        + ", ".join(f"{float(q['time']) * 1000:.0f} ms" for q in slowest),
        flush=True,
    )
    parts = export_parts(year)
    for name, ms in parts.items():
        print(f"    {name:<40} {ms:8.1f} ms  {ms / floor_ms:5.1f} floors", flush=True)
    return {
        "year": year,
        "runs": EXPORT_RUNS,
        "seconds": round(seconds, 2),
        "all_seconds": [round(t, 2) for t in timings],
        "queries": len(captured.captured_queries),
        "assessed": exported["assessed"]["total"],
        "floor_ms": round(floor_ms, 2),
        "ratio": round(seconds * 1000 / floor_ms, 1),
        "floor_agrees": agrees,
        "sql_seconds": round(sql_seconds, 3),
        "parts_ms": parts,
        "slowest_queries": [
            {"ms": round(float(q["time"]) * 1000), "sql": q["sql"][:160]} for q in slowest
        ],
    }


if __name__ == "__main__":
    if "--export-only" in sys.argv:
        # bin/bench with BENCH_ONLY=export: only the export's figures, not written into
        # the run's results.
        measure_export()
        sys.exit()
    print(f"Measuring {REQUESTS} requests per page", flush=True)
    started = time.perf_counter()
    result = measure()
    result["seconds"] = round(time.perf_counter() - started)
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    (RUN_DIR / "measure.json").write_text(json.dumps(result, indent=2, default=str))
