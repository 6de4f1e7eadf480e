"""Synthetic data at scale for the benchmark, written in SQL (INSERT ... SELECT over
generate_series): the ORM would take hours for a million rows.

At BENCH_SCALE=1: 1,000,000 inquiries and 250,000 cases from 2007 to now, with their
persons, interviews, assessments, reflection periods, placements, police reports, prepared
returns and payments, the per-case permissions of 200 contact persons, and an audit trail.

Every row is one the application could have written: states follow the state machines
(a case in support has an interview, a trafficked assessment, an accepted offer and a
reflection period; an ended course has its end status and date; a completed return
departed more than 12 months ago), dates follow each other, and the model constraints hold
(reflection periods of 30-120 days, placements ending after they start, payments > 0).
All names are invented from short lists; nothing here is real.

Run by bin/bench against its throwaway database (DATABASE_URL); prints each step's time.
"""

import json
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmm.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402

import rules  # noqa: E402
from cmm.core.names import fold  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
INQUIRIES = max(400, round(1_000_000 * SCALE))
CASES = INQUIRIES // 4  # every fourth inquiry is referred and opens one case
CONTACT_PERSONS = 200
SUPERVISORS = 5
HOTLINE = 10
# The contact person with the most cases ("My cases" is measured for them).
BUSY_SHARE = 0.03
# Inquiries at the end of the period that are still open (received or triaged).
OPEN_INQUIRIES = max(60, round(600 * SCALE))

FIRST_NAMES = (
    "Maria Ana Elena Ioana Andreea Mihaela Grace Blessing Joy Esther Precious Faith "
    "Mercy Gift Chioma Ngozi Somchai Malee Nok Siriporn Ploy Daeng Olena Iryna Natalia "
    "Oksana Tetiana Svetlana Nguyen Thi Lan Mai Hoa Linh Maricel Rosario Jocelyn Liza "
    "Ivan Petar Georgi Dimitar Nikolai Wei Li Ming Jun Hui Amina Fatima Aisha Sarah "
    "Kemal Ahmed Ali Omar Yusuf Hassan Bogdan Marius Florin Adrian Catalin Vasile"
).split()
LAST_NAMES = (
    "Popescu Ionescu Popa Dumitru Stan Stoica Gheorghe Matei Ciobanu Rusu Okafor "
    "Adeyemi Okonkwo Eze Nwosu Obi Balogun Adebayo Chukwu Mensah Boonmee Srisuk "
    "Chaiyaporn Wongsa Saetang Kaewkla Phrom Kovalenko Shevchenko Bondarenko Tkachenko "
    "Kravchenko Oliynyk Melnyk Tran Le Pham Hoang Huynh Vo Dang Bui Do Ngo Duong Reyes "
    "Santos Cruz Bautista Ocampo Garcia Mendoza Torres Aquino Ivanov Petrov Georgiev "
    "Dimitrov Nikolov Todorov Angelov Stoyanov Wang Zhang Liu Chen Yang Huang Zhao Wu "
    "Zhou Xu Sun Ma Hussein Mohamed Abdi Osman Farah Yilmaz Kaya Demir Celik Sahin "
    "Yildiz Ozturk Aydin Arslan Dogan Kilic Aslan Cetin Kara Koc Kurt Ozkan Simsek "
    "Horvath Kovacs Toth Szabo Nagy Varga Kiss Molnar Nemeth Farkas Balogh Papp Lakatos "
    "Takacs Juhasz Oláh Meszaros Simon Racz Fekete Kowalski Nowak Wisniewski Wojcik "
    "Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak Dabrowski Kozlowski "
    "Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Pawlowski Michalski "
    "Baptiste Jean Pierre Joseph Charles Louis Desir Etienne Francois Michel Mbeki "
    "Dlamini Nkosi Ndlovu Khumalo Sithole Mokoena Mahlangu Zulu Mthembu Banda Phiri "
    "Mwale Tembo Zimba Lungu Mutale Chanda Mulenga Bwalya"
).split()
LAST_NAMES = [n.replace("á", "a") for n in LAST_NAMES]
# Each name's folded form (cmm.core.names.fold), so that the persons' name keys are what
# the application stores and its search finds ("Mokoena" is kept as "mokona").
FIRST_KEYS = [fold(n) for n in FIRST_NAMES]
LAST_KEYS = [fold(n) for n in LAST_NAMES]
NATIONALITIES = (
    "RO RO RO NG NG NG TH TH UA UA VN VN PH BG BG CN UG HU PL GH ER SO AF MA BR CO PY "
    "LT LV MD AL XK"
).split()
CONTACT_ACTORS = (
    "police police police police immigration_service immigration_service ngo ngo "
    "red_cross self self crisis_centre asylum_centre municipality trade_union "
    "labour_inspection tax_agency prison_custody lawyer health_staff relative citizen other"
).split()
FORMS = (
    "sexual sexual sexual sexual forced_labour forced_labour forced_labour criminal "
    "criminal slavery_like other unresolved"
).split()
INDUSTRIES = (
    "restaurant construction agriculture cleaning domestic_work transport warehouse "
    "export fishing multiple other unresolved"
).split()
CRIMINAL = "theft drug_sales drug_transport cannabis_production economic_crime other".split()
HOUSING = (
    "specialised_crisis_centre crisis_centre asylum_centre shelter municipal_offer private"
).split()
DIRECT_ENDS = (
    "no_show municipal_care left_on_own released_to_street left_with_cmm_ticket residence_granted"
).split()
NOT_FILED = (
    "investigation_ongoing exploitation_long_ago exploitation_abroad in_preparation "
    "person_wish_respected other"
).split()
CHANNELS = ["hotline"] * 6 + ["email", "email", "letter", "in_person", "other"]
SUBJECTS = ["possible_victim"] * 3 + [
    "existing_case",
    "existing_case",
    "police_action",
    "advice",
    "advice",
    "other",
]
CLOSE_REASONS = [
    "no_indicators",
    "referred_elsewhere",
    "advice_given",
    "advice_given",
    "duplicate",
    "other",
]
DISTRICTS = ["Københavns Politi", "Fyns Politi", "Østjyllands Politi", "Nordjyllands Politi"]


def arr(values: list[str]) -> str:
    """A text[] literal for the SQL below (the lists are ours: no quoting needed)."""
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


def pick(values: list[str], expr: str) -> str:
    """SQL choosing an element of `values` by the non-negative integer `expr`."""
    return f"({arr(values)})[1 + mod(({expr})::bigint, {len(values)})]"


STEPS: list[dict] = []


def step(name: str, sql: str, params: dict | None = None) -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.rowcount
    STEPS.append({"step": name, "rows": rows, "seconds": round(time.perf_counter() - started, 1)})
    print(f"  {name:<34} {rows:>10,} rows {time.perf_counter() - started:7.1f} s", flush=True)


def make_users() -> dict[str, int]:
    """The staff: hotline, supervisors, 200 contact persons and a statistician, in their
    role groups. One password hash for all (nobody logs in with it: the benchmark's
    sessions pass both factors through the real pages)."""
    password = make_password("bench-not-a-real-password")
    groups = {g.name: g for g in Group.objects.all()}
    people = (
        [(f"bench-hotline-{i:02d}", "hotline") for i in range(1, HOTLINE + 1)]
        + [(f"bench-supervisor-{i:02d}", "supervisor") for i in range(1, SUPERVISORS + 1)]
        + [(f"bench-contact-{i:03d}", "contact_person") for i in range(1, CONTACT_PERSONS + 1)]
        + [("bench-statistics", "statistics")]
    )
    users = User.objects.bulk_create(
        User(username=name, first_name=name.split("-")[1].title(), password=password)
        for name, _role in people
    )
    membership = User.groups.through
    membership.objects.bulk_create(
        membership(user_id=u.pk, group_id=groups[role].pk)
        for u, (_n, role) in zip(users, people, strict=True)
    )
    contact_ids = [
        u.pk for u, (_n, role) in zip(users, people, strict=True) if role == "contact_person"
    ]
    # The SQL below picks contact persons by offset from the first id.
    assert contact_ids == list(range(contact_ids[0], contact_ids[0] + CONTACT_PERSONS))
    return {
        "hotline": users[0].pk,
        "supervisor": users[HOTLINE].pk,
        "cp0": contact_ids[0],
    }


def generate() -> None:
    started = time.perf_counter()
    print(f"Generating {INQUIRIES:,} inquiries and {CASES:,} cases", flush=True)
    ids = make_users()
    ct = {
        m: ContentType.objects.get(app_label=a, model=m).pk
        for a, m in (
            ("referrals", "inquiry"),
            ("cases", "case"),
            ("cases", "person"),
            ("cases", "assessment"),
        )
    }
    from django.contrib.auth.models import Permission

    perm = {
        p.codename: p.pk
        for p in Permission.objects.filter(
            content_type__app_label="cases", codename__in=["view_case", "work_on_case"]
        )
    }
    p = {
        "ni": INQUIRIES,
        "nc": CASES,
        "nopen": OPEN_INQUIRIES,
        "hotline": ids["hotline"],
        "supervisor": ids["supervisor"],
        "cp0": ids["cp0"],
        "ncp": CONTACT_PERSONS,
        "busy": BUSY_SHARE,
        "ct_inquiry": ct["inquiry"],
        "ct_case": ct["case"],
        "perm_view": perm["view_case"],
        "perm_work": perm["work_on_case"],
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        # Helpers for the session only: a deterministic hash of an id to [0, 1).
        cursor.execute(
            """
            CREATE OR REPLACE FUNCTION pg_temp.h(n bigint, salt int) RETURNS double precision
            LANGUAGE sql IMMUTABLE AS
            $$ SELECT ((hashtextextended(n::text, salt) & 2147483647)::double precision)
                      / 2147483648.0 $$
            """
        )
    with transaction.atomic():
        _inquiries(p)
        _cases(p)
        _support(p)
        _returns(p)
        _audit(p)
        _long_history(p)
        _finish(p)
    print(f"Generated in {time.perf_counter() - started:.0f} s", flush=True)


def _inquiries(p: dict) -> None:
    # Inquiry g is received at an even pace from 2007-01-01 until an hour ago; every
    # fourth (g = 4c) is referred and opens case c; the last `nopen` are still open.
    step(
        "inquiries (temp)",
        """
        CREATE TEMP TABLE b_inq AS
        SELECT g,
               timestamptz '2007-01-01 08:00+01'
                 + (now() - interval '2 hours' - timestamptz '2007-01-01 08:00+01')
                   * ((g - 1 + pg_temp.h(g, 1) * 0.9) / %(ni)s) AS received_at,
               CASE WHEN g > %(ni)s - %(nopen)s AND g %% 4 <> 0 THEN
                      CASE WHEN pg_temp.h(g, 2) < 0.5 THEN 'received' ELSE 'triaged' END
                    WHEN g %% 4 = 0 THEN 'referred'
                    WHEN pg_temp.h(g, 2) < 0.12 AND g > 40 THEN 'linked'
                    ELSE 'closed' END AS state,
               pg_temp.h(g, 3) AS r
        FROM generate_series(1, %(ni)s) g
        """,
        p,
    )
    step(
        "inquiries",
        f"""
        INSERT INTO referrals_inquiry (id, reference, received_at, channel, caller_type,
            caller_organisation, caller_contact, subject, urgency, urgent_on, summary, state,
            triage_note, close_reason, version, created_at, updated_at, created_by_id,
            linked_case_id, legal_hold, legal_hold_reason)
        SELECT g,
               'I-' || extract(year FROM received_at AT TIME ZONE 'Europe/Copenhagen')::int
                 || '-' || lpad(row_number() OVER (
                      PARTITION BY extract(year FROM received_at AT TIME ZONE 'Europe/Copenhagen')
                      ORDER BY g)::text, 5, '0'),
               received_at,
               {pick(CHANNELS, "g * 7")},
               {pick(CONTACT_ACTORS, "(r * 1000)::int")},
               '', '',
               CASE WHEN state = 'referred' THEN 'possible_victim'
                    ELSE {pick(SUBJECTS, "(r * 977)::int")} END,
               CASE WHEN r < 0.02 THEN 'custody' WHEN r < 0.03 THEN 'police_action' ELSE 'none' END,
               CASE WHEN r >= 0.02 AND r < 0.03 THEN (received_at + interval '3 days')::date END,
               'Synthetic inquiry for the benchmark.',
               state,
               CASE WHEN state = 'received' THEN '' ELSE 'Read and judged.' END,
               CASE WHEN state = 'closed' THEN {pick(CLOSE_REASONS, "g")} ELSE '' END,
               CASE WHEN state = 'received' THEN 1 ELSE 3 END,
               received_at, received_at, %(hotline)s,
               CASE WHEN state = 'linked' THEN greatest(1, g / 4 - 1 - (r * 50)::int) END,
               false, ''
        FROM b_inq
        """,
        p,
    )
    step(
        "inquiry persons",
        f"""
        INSERT INTO referrals_inquiryperson (inquiry_id, alias, alias_key, gender, age,
            age_is_estimate, nationality, language, interpreter_needed, whereabouts,
            suspected_exploitation, case_id)
        SELECT g,
               {pick(FIRST_NAMES, "g * 31 + k")} || ' ' || {pick(LAST_NAMES, "g * 17 + k * 3")},
               ' ' || {pick(FIRST_KEYS, "g * 31 + k")}
                 || CASE WHEN {pick(FIRST_KEYS, "g * 31 + k")} = {pick(LAST_KEYS, "g * 17 + k * 3")}
                         THEN '' ELSE ' ' || {pick(LAST_KEYS, "g * 17 + k * 3")} END || ' ',
               {pick(["woman", "woman", "woman", "man", "man", "trans", ""], "g + k")},
               CASE WHEN k = 0 THEN 16 + (g %% 30) END, k = 0,
               {pick(NATIONALITIES, "g * 13 + k")}, '', NULL, '',
               {pick([*FORMS, ""], "g * 5 + k")},
               CASE WHEN state = 'referred' THEN g / 4 END
        FROM b_inq
        CROSS JOIN LATERAL generate_series(0,
            CASE WHEN state IN ('referred', 'received', 'triaged') THEN 0
                 WHEN r < 0.3 THEN -1 WHEN r < 0.85 THEN 0 ELSE 1 END) k
        """,
        p,
    )


def _cases(p: dict) -> None:
    # Each case's course, decided in one place: its stage (how far it got), the dates of
    # each step (in order, before now), its authority, outcome and end. Recent courses are
    # spread over the open states; courses older than a year have (nearly all) ended.
    step(
        "cases (temp)",
        """
        CREATE TEMP TABLE b_case AS
        WITH base AS (
            SELECT i.g / 4 AS c, i.received_at + interval '30 minutes' AS opened_at,
                   pg_temp.h(i.g, 11) AS r1, pg_temp.h(i.g, 12) AS r2, pg_temp.h(i.g, 13) AS r3,
                   pg_temp.h(i.g, 14) AS r4, pg_temp.h(i.g, 15) AS r5
            FROM b_inq i WHERE i.state = 'referred'
        ), aged AS (
            SELECT *, extract(epoch FROM now() - opened_at) / 86400.0 AS age_days FROM base
        ), staged AS (
            SELECT *,
                -- stage: 0 awaiting assignment, 1 awaiting interview, 2 interviewing,
                -- 3 awaiting a decision, 4 assessed, 5 in support, 6 ended
                CASE
                  WHEN age_days < 14 THEN CASE WHEN r1 < 0.3 THEN 0 WHEN r1 < 0.7 THEN 1 ELSE 2 END
                  WHEN age_days < 60 THEN CASE WHEN r1 < 0.3 THEN 2 WHEN r1 < 0.75 THEN 3 ELSE 4 END
                  WHEN age_days < 365 THEN CASE WHEN r1 < 0.05 THEN 3 WHEN r1 < 0.25 THEN 4
                                                WHEN r1 < 0.65 THEN 5 ELSE 6 END
                  ELSE CASE WHEN r1 < 0.01 THEN 5 WHEN r1 < 0.26 THEN 4 ELSE 6 END
                END AS stage
            FROM aged
        )
        SELECT s.*,
               -- ((c - 1) mod persons) + 1: the last twentieth of cases are recurring persons
               mod(c - 1, (%(nc)s * 95) / 100) + 1 AS person_id,
               CASE WHEN stage = 0 THEN NULL
                    WHEN r5 < %(busy)s THEN %(cp0)s
                    ELSE %(cp0)s + 1 + mod(c * 37, %(ncp)s - 1) END AS contact_id,
               CASE WHEN stage > 0 AND r5 > 0.85 THEN %(cp0)s + 1 + mod(c * 53 + 7, %(ncp)s - 1)
                    END AS deputy_raw,
               -- the span a course's dates are spread over, and the days of each step
               least(age_days, 400.0) * (0.5 + 0.5 * r2) AS span
        FROM staged s
        """,
        p,
    )
    with connection.cursor() as cursor:
        cursor.execute("""
            ALTER TABLE b_case ADD COLUMN residence text, ADD COLUMN authority text,
              ADD COLUMN outcome text, ADD COLUMN end_status text, ADD COLUMN state text,
              ADD COLUMN deputy_id int, ADD COLUMN t_int1 timestamptz,
              ADD COLUMN t_int2 timestamptz, ADD COLUMN t_sent timestamptz,
              ADD COLUMN t_decided timestamptz, ADD COLUMN t_offer timestamptz,
              ADD COLUMN t_end timestamptz, ADD COLUMN t_last timestamptz
            """)
    step(
        "cases (course)",
        """
        UPDATE b_case SET
          -- the person's, so a recurring person's courses agree with it
          residence = CASE WHEN pg_temp.h(person_id, 21) < 0.35 THEN 'legal_residence'
                           WHEN pg_temp.h(person_id, 21) < 0.6 THEN 'asylum_seeker'
                           ELSE 'no_legal_residence' END,
          deputy_id = CASE WHEN deputy_raw IS DISTINCT FROM contact_id THEN deputy_raw END,
          t_int1 = CASE WHEN stage >= 2 THEN opened_at + span * 0.05 * interval '1 day' END,
          t_int2 = CASE WHEN stage >= 2 AND r4 < 0.4
                        THEN opened_at + span * 0.08 * interval '1 day' END,
          t_sent = CASE WHEN stage >= 3 THEN opened_at + span * 0.1 * interval '1 day' END,
          t_decided = CASE WHEN stage >= 4 THEN opened_at + span * 0.3 * interval '1 day' END,
          t_offer = CASE WHEN stage >= 5 THEN opened_at + span * 0.35 * interval '1 day' END,
          t_end = CASE WHEN stage = 6 THEN opened_at + span * 0.9 * interval '1 day' END
        """,
    )
    step(
        "cases (outcome)",
        f"""
        UPDATE b_case SET
          authority = CASE WHEN stage < 3 THEN ''
                           WHEN r4 > 0.96 THEN 'court'
                           WHEN residence = 'legal_residence' THEN 'cmm'
                           ELSE 'immigration_service' END,
          -- courses assessed trafficked long ago have moved on: stage 4 is then a no
          outcome = CASE WHEN stage = 4 AND (r4 < 0.6 OR age_days > 365) THEN 'not_trafficked'
                         WHEN stage >= 4 THEN 'trafficked' END,
          end_status = CASE WHEN stage <> 6 THEN ''
                            WHEN r5 < 0.12 THEN 'declined_offer'
                            WHEN r5 < 0.30 THEN 'prepared_return'
                            ELSE {pick(DIRECT_ENDS, "(r5 * 10007)::int")} END
        """,
    )
    step(
        "cases (state)",
        """
        UPDATE b_case SET
          state = CASE stage
            WHEN 0 THEN 'awaiting_assignment' WHEN 1 THEN 'awaiting_interview'
            WHEN 2 THEN 'interviewing'
            WHEN 3 THEN CASE authority WHEN 'cmm' THEN 'awaiting_cmm_assessment'
                          WHEN 'court' THEN 'pending_in_court'
                          ELSE 'report_sent_to_immigration_service' END
            WHEN 4 THEN CASE outcome WHEN 'trafficked' THEN 'assessed_trafficked'
                          ELSE 'assessed_not_trafficked' END
            WHEN 5 THEN 'in_support' ELSE 'ended' END,
          -- a declined offer ends the course when it is answered
          t_end = CASE WHEN end_status = 'declined_offer' THEN t_offer ELSE t_end END,
          t_last = coalesce(CASE WHEN stage = 6 THEN t_end END, t_offer, t_decided, t_sent,
                            t_int1, opened_at)
        """,
    )
    step(
        "persons",
        f"""
        INSERT INTO cases_person (id, name, aliases, name_key, gender, birth_date,
            birth_date_is_estimate, declared_minor, unaccompanied_minor, nationality,
            languages, interpreter_needed, residence_status, phone, email, address,
            source_ref, created_at, birth_year, anonymised_at)
        SELECT b.person_id, n.first || ' ' || n.last,
               CASE WHEN b.r2 < 0.3 THEN jsonb_build_array(n.alias) ELSE '[]'::jsonb END,
               ' ' || n.first_key || ' ' || n.last_key
                 || CASE WHEN b.r2 < 0.3 AND n.alias_key NOT IN (n.first_key, n.last_key)
                         THEN ' ' || n.alias_key ELSE '' END || ' ',
               {pick(["woman"] * 6 + ["man"] * 4 + ["trans"], "(b.r3 * 7919)::int")},
               (b.opened_at - (16 + floor(b.r4 * 30)::int) * interval '1 year'
                 - (b.r1 * 360)::int * interval '1 day')::date,
               -- a minor when first referred came alone (adult rates for a return)
               b.r1 < 0.2, false, 16 + floor(b.r4 * 30)::int < 18,
               {pick(NATIONALITIES, "(b.r2 * 9973)::int")},
               '', NULL, b.residence, '', '', '', '', b.opened_at, NULL, NULL
        FROM b_case b
        CROSS JOIN LATERAL (SELECT
            {pick(FIRST_NAMES, "b.person_id * 7 + 3")} AS first,
            {pick(LAST_NAMES, "b.person_id * 13 + b.person_id / 11")} AS last,
            {pick(FIRST_NAMES, "b.person_id * 3 + 1")} AS alias,
            {pick(FIRST_KEYS, "b.person_id * 7 + 3")} AS first_key,
            {pick(LAST_KEYS, "b.person_id * 13 + b.person_id / 11")} AS last_key,
            {pick(FIRST_KEYS, "b.person_id * 3 + 1")} AS alias_key) n
        WHERE b.c <= (%(nc)s * 95) / 100
        """,
        p,
    )
    step(
        "cases",
        """
        INSERT INTO cases_case (id, reference, state, state_changed_at, opened_at, is_urgent,
            assessing_authority, authority_override_reason, report_sent_on, version,
            contact_person_id, deputy_id, person_id, end_status, ended_on, offer_decided_on,
            last_activity_at, anonymised_at, legal_hold, legal_hold_reason, legal_hold_ground)
        SELECT c,
               'C-' || extract(year FROM opened_at AT TIME ZONE 'Europe/Copenhagen')::int || '-'
                 || lpad(row_number() OVER (
                      PARTITION BY extract(year FROM opened_at AT TIME ZONE 'Europe/Copenhagen')
                      ORDER BY c)::text, 5, '0'),
               state, t_last, opened_at, r3 > 0.95,
               authority,
               CASE WHEN authority = 'court' THEN 'Charged in a criminal case.' ELSE '' END,
               CASE WHEN stage >= 3 AND authority <> 'cmm' THEN t_sent::date END,
               1 + stage, contact_id, deputy_id, person_id,
               end_status, t_end::date,
               CASE WHEN stage >= 5 OR end_status = 'declined_offer' THEN t_offer::date END,
               -- most open courses saw activity lately; some are left idle (a queue)
               CASE WHEN stage BETWEEN 1 AND 5 AND r2 < 0.8
                    THEN greatest(t_last, now() - (r4 * 20) * interval '1 day') ELSE t_last END,
               NULL, false, '', ''
        FROM b_case
        """,
    )
    step(
        "case permissions",
        """
        INSERT INTO cases_caseuserobjectpermission (content_object_id, permission_id, user_id)
        SELECT c, perm, who
        FROM b_case
        CROSS JOIN LATERAL (VALUES (contact_id), (deputy_id)) w(who)
        CROSS JOIN LATERAL (VALUES (%(perm_view)s), (%(perm_work)s)) q(perm)
        WHERE who IS NOT NULL
        """,
        p,
    )
    step(
        "interviews",
        """
        INSERT INTO cases_interview (case_id, held_at, place, interpreter, interpreter_language,
            indicators, trafficker_ties, debt_demanded, threatened, notes, recommendation,
            recorded_at, recorded_by_id)
        SELECT c, t, 'CMM, København', '', '',
               '["deceived", "debt", "no_or_low_pay"]'::jsonb, r2 < 0.3, r3 < 0.2, r4 < 0.2,
               'Synthetic interview.',
               CASE WHEN outcome = 'not_trafficked' THEN 'not_trafficked' ELSE 'trafficked' END,
               t, contact_id
        FROM b_case CROSS JOIN LATERAL (VALUES (t_int1), (t_int2)) v(t)
        WHERE t IS NOT NULL
        ORDER BY c, t
        """,
    )
    step(
        "interviewers",
        """
        INSERT INTO cases_interview_interviewers (interview_id, user_id)
        SELECT i.id, c.contact_person_id FROM cases_interview i
        JOIN cases_case c ON c.id = i.case_id
        """,
    )
    step(
        "assessments",
        f"""
        INSERT INTO cases_assessment (case_id, authority, outcome, decided_on,
            decision_received_on, contact_actor, exploitation_form, sexual_kind,
            forced_labour_industry, criminal_kinds, exploitation_country, exploitation_from,
            exploitation_to, age_at_decision, recorded_by_id, recorded_at, received_via)
        SELECT c, authority, outcome, t_decided::date,
               CASE WHEN authority <> 'cmm' THEN t_decided::date END,
               {pick(CONTACT_ACTORS, "(r1 * 7717)::int")},
               f.form,
               CASE WHEN f.form <> 'sexual' THEN ''
                    WHEN r2 < 0.8 THEN 'prostitution' ELSE 'other_sexual' END,
               CASE WHEN f.form = 'forced_labour'
                    THEN {pick(INDUSTRIES, "(r3 * 6007)::int")} ELSE '' END,
               CASE WHEN f.form = 'criminal'
                    THEN jsonb_build_array({pick(CRIMINAL, "(r4 * 4001)::int")})
                    ELSE '[]'::jsonb END,
               CASE WHEN r5 < 0.7 THEN 'DK' ELSE '' END, NULL, NULL, NULL,
               contact_id, t_decided, ''
        FROM b_case
        CROSS JOIN LATERAL (SELECT CASE WHEN outcome = 'trafficked'
            THEN {pick(FORMS, "(r2 * 8009)::int")} ELSE '' END AS form) f
        WHERE stage >= 4
        """,
    )
    step(
        "notes",
        """
        INSERT INTO cases_note (case_id, text, corrects_id, author_id, written_at)
        SELECT c, 'Synthetic journal note.', NULL, contact_id, t_int1 + interval '1 hour'
        FROM b_case WHERE stage >= 2 AND r3 < 0.6
        """,
    )


def _support(p: dict) -> None:
    # Reflection periods of 30 days, some extended (approved) to 60 or 90; placements from
    # the offer, some moved once, all ended with the course; police reports.
    step(
        "reflection periods",
        """
        INSERT INTO cases_reflectionperiod (case_id, starts_on, granted_by, total_days,
            max_days, ends_on, recorded_by_id)
        SELECT c, t_offer::date,
               CASE WHEN residence = 'legal_residence' THEN 'cmm' ELSE 'immigration_service' END,
               d, %(reflection_max)s, t_offer::date + d - 1, contact_id
        FROM b_case
        CROSS JOIN LATERAL (SELECT CASE WHEN r4 < 0.1 THEN 90 WHEN r4 < 0.25 THEN 60
                                        ELSE 30 END AS d) x
        WHERE stage >= 5 AND end_status <> 'declined_offer'
        """,
        # Each period keeps the maximum of the rules in force (one version in the Danish set).
        {"reflection_max": rules.today().reflection.max_days},
    )
    step(
        "extensions",
        """
        INSERT INTO cases_extension (period_id, days, reason, note, granted_on, status,
            recorded_by_id, decided_by_id, decided_at)
        SELECT rp.id, 30, CASE WHEN k = 1 THEN 'prepared_return' ELSE 'testimony' END, '',
               rp.starts_on + 25 + 30 * (k - 1), 'approved', rp.recorded_by_id,
               %(supervisor)s, (rp.starts_on + 26 + 30 * (k - 1))::timestamptz
        FROM cases_reflectionperiod rp
        CROSS JOIN LATERAL generate_series(1, (rp.total_days - 30) / 30) k
        """,
        p,
    )
    step(
        "placements",
        f"""
        INSERT INTO cases_placement (case_id, housing_type, place, starts_on, ends_on,
            end_reason, recorded_by_id)
        SELECT c, {pick(HOUSING, "c + k")}, 'Synthetic place',
               CASE WHEN k = 1 THEN s ELSE m END,
               CASE WHEN k = 1 AND two THEN m WHEN stage = 6 THEN e END,
               CASE WHEN k = 1 AND two THEN 'moved' WHEN stage = 6 THEN 'course_ended' ELSE '' END,
               contact_id
        FROM (SELECT *, t_offer::date AS s,
                     (t_offer + (coalesce(t_end, now()) - t_offer) / 2)::date AS m,
                     t_end::date AS e, r2 < 0.3 AS two
              FROM b_case WHERE stage >= 5 AND end_status <> 'declined_offer') b
        CROSS JOIN LATERAL generate_series(1, CASE WHEN two THEN 2 ELSE 1 END) k
        """,
    )
    step(
        "police reports",
        f"""
        INSERT INTO cases_policereport (case_id, filed, filed_by, provisions, police_district,
            filed_on, not_filed_reason, note, recorded_at, recorded_by_id)
        SELECT c, r3 < 0.6,
               CASE WHEN r3 < 0.4 THEN 'person_assisted' WHEN r3 < 0.6 THEN 'cmm_anonymous'
                    ELSE '' END,
               CASE WHEN r3 < 0.6 THEN '["262a"]'::jsonb ELSE '[]'::jsonb END,
               CASE WHEN r3 < 0.6 THEN {pick(DISTRICTS, "c")} ELSE '' END,
               CASE WHEN r3 < 0.6 THEN (t_offer + interval '5 days')::date END,
               CASE WHEN r3 >= 0.6 THEN {pick(NOT_FILED, "c")} ELSE '' END,
               '', t_offer + interval '5 days', contact_id
        FROM b_case WHERE stage >= 5 AND r1 < 0.9
        """,
    )


def _returns(p: dict) -> None:
    # Prepared returns: every course ended by one departed on its end date (completed when
    # the 12 months of follow-up are over, cash paid monthly for six months); some courses
    # in support have one under way at an earlier step.
    step(
        "prepared returns",
        """
        INSERT INTO repatriation_preparedreturn (case_id, state, state_changed_at, version,
            offer_accepted_on, application_sent_on, application_approved_on, children,
            traffickers_at_home, family_relations, debt, provider_duties, health_in_denmark,
            health_at_home, risk_level, plan_written_on, plan_approved_on, plan_budget,
            partner_name, partner_country, partner_contact, departure_on, destination,
            escort, documents, completed_on, stop_reason, stopped_at, next_payment_due_on)
        SELECT b.c, x.state, x.changed, 6, b.t_offer::date, b.t_offer::date + 2,
               CASE WHEN x.n >= 5 THEN b.t_offer::date + 10 END, 0, false, '', false, false,
               '', '', CASE WHEN x.n >= 2 THEN 'medium' ELSE '' END,
               CASE WHEN x.n >= 3 THEN b.t_offer::date + 12 END,
               CASE WHEN x.n >= 3 THEN b.t_offer::date + 14 END,
               CASE WHEN x.n >= 3 THEN 30000 ELSE 0 END,
               CASE WHEN x.n >= 4 THEN 'Partner organisation' ELSE '' END,
               CASE WHEN x.n >= 4 THEN p.nationality ELSE '' END, '',
               CASE WHEN x.n >= 6 THEN b.t_end::date END,
               CASE WHEN x.n >= 5 THEN p.nationality ELSE '' END,
               false, '',
               CASE WHEN x.state = 'completed' THEN (b.t_end + interval '12 months')::date END,
               '', '',
               CASE WHEN x.state = 'follow_up' AND x.paid < 6
                    THEN (b.t_end + (x.paid + 1) * interval '1 month')::date END
        FROM b_case b JOIN cases_person p ON p.id = b.person_id
        CROSS JOIN LATERAL (SELECT
            CASE WHEN b.end_status <> 'prepared_return'
                   THEN (ARRAY['application', 'safety', 'plan', 'cooperation', 'travel'])
                        [1 + (b.r5 * 50)::int % 5]
                 WHEN b.t_end < now() - interval '12 months' THEN 'completed'
                 ELSE 'follow_up' END AS state,
            CASE WHEN b.end_status = 'prepared_return' THEN 6
                 ELSE 1 + (b.r5 * 50)::int % 5 END AS n,
            CASE WHEN b.end_status = 'prepared_return' THEN b.t_end
                 ELSE b.t_offer + (now() - b.t_offer) * b.r2 END AS changed,
            CASE WHEN b.end_status = 'prepared_return'
                 -- months paid; for some the month just due is not paid yet (a queue)
                 THEN greatest(0, least(6, floor(
                        extract(epoch FROM now() - b.t_end) / 2629800)::int)
                      - CASE WHEN b.r2 < 0.3 THEN 1 ELSE 0 END)
                 ELSE 0 END AS paid) x
        WHERE b.end_status = 'prepared_return' OR (b.stage = 5 AND b.r3 < 0.15)
        """,
    )
    step(
        "payments",
        """
        INSERT INTO repatriation_payment (prepared_return_id, kind, amount, paid_on, note,
            recorded_at, recorded_by_id)
        SELECT r.id, 'cash', 1666, (r.departure_on + k * interval '1 month')::date, '',
               r.departure_on + k * interval '1 month', c.contact_person_id
        FROM repatriation_preparedreturn r JOIN cases_case c ON c.id = r.case_id
        CROSS JOIN LATERAL generate_series(1, 6) k
        -- the months before the next one due (all six once none is due), none in the future
        WHERE r.departure_on IS NOT NULL
          AND r.departure_on + k * interval '1 month'
              < coalesce(r.next_payment_due_on::timestamptz, 'infinity')
          AND r.departure_on + k * interval '1 month' <= now()
        """,
    )
    step(
        "consents (share with partners)",
        """
        INSERT INTO cases_consent (case_id, kind, given, given_on, recorded_by_id, recorded_at)
        SELECT r.case_id, 'share_with_partners', true, r.offer_accepted_on,
               c.contact_person_id, r.offer_accepted_on::timestamptz
        FROM repatriation_preparedreturn r JOIN cases_case c ON c.id = r.case_id
        WHERE r.state IN ('cooperation', 'travel', 'follow_up', 'completed')
        """,
    )


def _audit(p: dict) -> None:
    # The trail the services would have written: each inquiry's creation and its triage
    # and outcome; each case's creation and every transition of its course.
    step(
        "audit: inquiries",
        """
        INSERT INTO audit_auditevent (at, action, object_id, object_ref, changes, transition,
            from_state, to_state, reason, actor_id, content_type_id, redacted_at, client)
        SELECT i.received_at + (k * interval '10 minutes'),
               CASE WHEN k = 0 THEN 'create' ELSE 'transition' END, i.id::text, i.reference,
               CASE WHEN k = 0 THEN '{"channel": [null, "hotline"]}'::jsonb ELSE '{}'::jsonb END,
               CASE k WHEN 0 THEN '' WHEN 1 THEN 'triage'
                      ELSE CASE i.state WHEN 'referred' THEN 'refer' WHEN 'linked' THEN 'link'
                           ELSE 'close' END END,
               CASE k WHEN 0 THEN '' WHEN 1 THEN 'received' ELSE 'triaged' END,
               CASE k WHEN 0 THEN '' WHEN 1 THEN 'triaged' ELSE i.state END,
               '', %(hotline)s, %(ct_inquiry)s, NULL, ''
        FROM referrals_inquiry i
        CROSS JOIN LATERAL generate_series(0, CASE i.state WHEN 'received' THEN 0
            WHEN 'triaged' THEN 1 ELSE 2 END) k
        """,
        p,
    )
    step(
        "audit: cases",
        """
        INSERT INTO audit_auditevent (at, action, object_id, object_ref, changes, transition,
            from_state, to_state, reason, actor_id, content_type_id, redacted_at, client)
        SELECT coalesce(t.at, c.opened_at), CASE WHEN t.k = 0 THEN 'create' ELSE 'transition' END,
               c.id::text, c.reference, '{}'::jsonb, t.name, t.from_s, t.to_s, '',
               coalesce(c.contact_person_id, %(supervisor)s), %(ct_case)s, NULL, ''
        FROM cases_case c JOIN b_case b ON b.c = c.id
        CROSS JOIN LATERAL (VALUES
            (0, b.opened_at, '', '', ''),
            (1, b.opened_at + interval '1 day', 'assign', 'awaiting_assignment',
                'awaiting_interview'),
            (2, b.t_int1, 'start_identification', 'awaiting_interview', 'interviewing'),
            (3, b.t_sent, 'send_for_assessment', 'interviewing', 'awaiting_decision'),
            (4, b.t_decided, 'record_assessment', 'awaiting_decision', 'assessed'),
            (5, b.t_offer, 'accept_offer', 'assessed_trafficked', 'in_support'),
            (6, b.t_end, 'end_course', 'in_support', 'ended')
        ) t(k, at, name, from_s, to_s)
        WHERE t.k <= b.stage
        """,
        p,
    )


def _long_history(p: dict) -> None:
    # One course of the busy contact person with a long history: years in support, many
    # notes, moves, services and a long trail. Its page is measured.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT id FROM cases_case WHERE contact_person_id = %s AND state = 'in_support'
               ORDER BY opened_at LIMIT 1""",
            [p["cp0"]],
        )
        case_id = cursor.fetchone()[0]
    p = {**p, "long": case_id}
    print(f"  long history: case {case_id}", flush=True)
    step(
        "long: notes",
        """
        INSERT INTO cases_note (case_id, text, corrects_id, author_id, written_at)
        SELECT %(long)s, 'Synthetic journal note number ' || k || '.', NULL, %(cp0)s,
               c.opened_at + k * interval '1 day'
        FROM cases_case c, generate_series(1, 300) k WHERE c.id = %(long)s
        """,
        p,
    )
    step(
        "long: services",
        """
        INSERT INTO cases_supportservice (case_id, kind, given_on, until, note, recorded_by_id)
        SELECT %(long)s, (ARRAY['legal_aid','interpreter','health_care','psychologist',
                                'pocket_money'])[1 + k %% 5],
               (c.opened_at + k * interval '7 days')::date, NULL, '', %(cp0)s
        FROM cases_case c, generate_series(1, 60) k WHERE c.id = %(long)s
        """,
        p,
    )
    step(
        "long: audit",
        """
        INSERT INTO audit_auditevent (at, action, object_id, object_ref, changes, transition,
            from_state, to_state, reason, actor_id, content_type_id, redacted_at, client)
        SELECT c.opened_at + k * interval '6 hours', 'update', c.id::text, c.reference,
               '{"is_urgent": [false, true]}'::jsonb, '', '', '', '', %(cp0)s, %(ct_case)s, NULL, ''
        FROM cases_case c, generate_series(1, 1500) k WHERE c.id = %(long)s
        """,
        p,
    )


def _finish(p: dict) -> None:
    step(
        "reference sequences",
        """
        INSERT INTO core_referencesequence (prefix, year, last)
        SELECT split_part(reference, '-', 1), split_part(reference, '-', 2)::int,
               max(split_part(reference, '-', 3)::int)
        FROM (SELECT reference FROM referrals_inquiry UNION ALL
              SELECT reference FROM cases_case) r
        GROUP BY 1, 2
        """,
    )
    with connection.cursor() as cursor:
        for table in ("referrals_inquiry", "cases_case", "cases_person"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


TABLES = {
    "inquiries": "referrals_inquiry",
    "inquiry_persons": "referrals_inquiryperson",
    "persons": "cases_person",
    "cases": "cases_case",
    "interviews": "cases_interview",
    "assessments": "cases_assessment",
    "reflection_periods": "cases_reflectionperiod",
    "placements": "cases_placement",
    "police_reports": "cases_policereport",
    "prepared_returns": "repatriation_preparedreturn",
    "payments": "repatriation_payment",
    "case_permissions": "cases_caseuserobjectpermission",
    "audit_events": "audit_auditevent",
}


if __name__ == "__main__":
    began = time.perf_counter()
    generate()
    started = time.perf_counter()
    # VACUUM as well as ANALYZE: the freshly loaded tables would otherwise be vacuumed by
    # autovacuum in the middle of the measurement, and index-only scans (counts) need the
    # visibility map it writes.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"  {'VACUUM (ANALYZE)':<34} {'':>15} {time.perf_counter() - started:7.1f} s", flush=True)
    with connection.cursor() as cursor:
        rows = {}
        for name, table in TABLES.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows[name] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    run_dir = Path(
        os.environ.get("BENCH_ROOT", Path(__file__).resolve().parent.parent / "var/bench")
    )
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "generate.json").write_text(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - began),
                "rows": rows,
                "database_size": size,
                "contact_persons": CONTACT_PERSONS,
                "steps": STEPS,
            },
            indent=2,
        )
    )
