"""Server-side timings of the partner API's submit endpoint, POST /api/v1/inquiries/, beside
its two floors, as bench/measure.py times the pages.

A bench client (made through api.clients, as an administrator would) posts a referral of one
person with a new Idempotency-Key each time, through Django's test client (every middleware,
DRF's key check, scope, throttle and parser, the serializer, the hotline's service, the
audit): a few warm-up requests, then BENCH_REQUESTS timed ones, each answered 201 and each
one inquiry more. The query count comes from one more request with the queries captured.

- The API's framework floor: an empty answer from a partner view (bench/urls.py) with the
  same key, scope, throttle, parser and body: what every API request pays first.
- The SQL floor: the endpoint's own writes in hand-written SQL, in one transaction: the
  idempotency placeholder, the year's reference number taken under its row lock, the
  inquiry, its person, their two audit events, the answer kept for retries. Checked to
  create one inquiry per run, as the endpoint does.

`ratio_framework` is endpoint / (framework floor + SQL floor), at p50 and p95. Also writes
var/bench/api-load.lua, the key and body bench/load_api.lua sends in the API's load run.
"""

import json
import time
import uuid
from datetime import timedelta

from common import REQUESTS, RUN_DIR, WARM_UP, spread
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api import clients
from api.models import ApiClient
from bench.urls import API_FLOOR
from referrals.models import Inquiry

ENDPOINT = "/api/v1/inquiries/"

# A referral as a police system would send it (synthetic).
REFERRAL = {
    "subject": "possible_victim",
    "urgency": "none",
    "summary": "Anholdt ved kontrol på byggeplads; mulig tvangsarbejde. Syntetisk.",
    "caller_contact": "Vagthavende, 11 22 33 44",
    "persons": [
        {
            "alias": "Bench Person",
            "gender": "man",
            "age": 31,
            "age_is_estimate": True,
            "nationality": "RO",
            "language": "rumænsk",
            "interpreter_needed": True,
            "whereabouts": "Politigården",
            "suspected_exploitation": "forced_labour",
        }
    ],
}


def bench_client() -> tuple[ApiClient, str]:
    """A police client allowed to submit, with a fresh key."""
    return clients.client_create(
        actor=None,
        name=f"Bench: Politiet {timezone.now():%H%M%S}",
        partner_type="police",
        contact="Bench",
        scopes=["inquiries:submit"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )


class Caller:
    def __init__(self, key: str) -> None:
        self.http = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        self.run = uuid.uuid4().hex[:8]
        self.sent = 0

    def post(self, path: str, body: bytes, expected: int, *, keyed: bool = True) -> bytes:
        self.sent += 1
        headers = dict(self.auth)
        if keyed:
            headers["HTTP_IDEMPOTENCY_KEY"] = f"bench-{self.run}-{self.sent}"
        response = self.http.generic("POST", path, body, content_type="application/json", **headers)
        if response.status_code != expected:
            raise RuntimeError(f"POST {path} answered {response.status_code}: {response.content}")
        return response.content


def timed(run) -> dict:
    for _ in range(WARM_UP):
        run()
    timings, cpu = [], []
    for _ in range(REQUESTS):
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return spread(timings, cpu)


def sql_floor(client: ApiClient):
    """One submit's writes in SQL; returns a function doing them once."""
    account = client.account_id
    person = REFERRAL["persons"][0]
    inquiry_type = _content_type("referrals", "inquiry")
    person_type = _content_type("referrals", "inquiryperson")
    counter = iter(range(10**9))

    def run() -> None:
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO api_idempotentrequest (client_id, key, fingerprint, status, "
                "response, created_at) VALUES (%s, %s, %s, 0, '{}', %s) RETURNING id",
                [client.pk, f"floor-{uuid.uuid4().hex}-{next(counter)}", "0" * 64, now],
            )
            kept = cursor.fetchone()[0]
            cursor.execute(
                "UPDATE core_referencesequence SET last = last + 1 "
                "WHERE prefix = 'I' AND year = %s RETURNING last",
                [timezone.localdate(now).year],
            )
            reference = f"I-{timezone.localdate(now).year}-{cursor.fetchone()[0]:05d}"
            cursor.execute(
                "INSERT INTO referrals_inquiry (reference, received_at, channel, caller_type, "
                "caller_organisation, caller_contact, subject, urgency, urgent_on, summary, "
                "state, triage_note, close_reason, legal_hold, legal_hold_reason, version, "
                "created_by_id, created_at, updated_at) VALUES (%s, %s, 'api', 'police', %s, "
                "%s, %s, %s, NULL, %s, 'received', '', '', false, '', 1, %s, %s, %s) "
                "RETURNING id",
                [
                    reference,
                    now,
                    client.name,
                    REFERRAL["caller_contact"],
                    REFERRAL["subject"],
                    REFERRAL["urgency"],
                    REFERRAL["summary"],
                    account,
                    now,
                    now,
                ],
            )
            inquiry = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO referrals_inquiryperson (inquiry_id, alias, alias_key, gender, age, "
                "age_is_estimate, nationality, language, interpreter_needed, whereabouts, "
                "suspected_exploitation) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "RETURNING id",
                [
                    inquiry,
                    person["alias"],
                    " bench person ",
                    person["gender"],
                    person["age"],
                    person["age_is_estimate"],
                    person["nationality"],
                    person["language"],
                    person["interpreter_needed"],
                    person["whereabouts"],
                    person["suspected_exploitation"],
                ],
            )
            person_id = cursor.fetchone()[0]
            changes = json.dumps({k: [None, v] for k, v in REFERRAL.items() if k != "persons"})
            cursor.execute(
                "INSERT INTO audit_auditevent (at, actor_id, client, action, content_type_id, "
                "object_id, object_ref, changes, transition, from_state, to_state, reason) "
                "VALUES (%s, %s, %s, 'create', %s, %s, %s, %s, '', '', '', ''), "
                "(%s, %s, %s, 'create', %s, %s, %s, %s, '', '', '', '')",
                [
                    *(now, account, client.reference, inquiry_type, str(inquiry), reference),
                    changes,
                    *(now, account, client.reference, person_type, str(person_id)),
                    f"{reference}/P{person_id}",
                    json.dumps({k: [None, v] for k, v in person.items()}),
                ],
            )
            cursor.execute(
                "UPDATE api_idempotentrequest SET status = 201, response = %s WHERE id = %s",
                [json.dumps({"reference": reference}), kept],
            )

    return run


def _content_type(app: str, model: str) -> int:
    return ContentType.objects.get_by_natural_key(app, model).pk


def _inquiries_of(client: ApiClient) -> int:
    return Inquiry.objects.filter(created_by_id=client.account_id).count()


def measure_api() -> dict:
    client, key = bench_client()
    caller = Caller(key)
    body = json.dumps(REFERRAL, ensure_ascii=False).encode()
    floor_path = reverse(API_FLOOR)

    # The floor view is guarded as the endpoint is: no key, no answer.
    anonymous = Client().generic("POST", floor_path, body, content_type="application/json")
    if anonymous.status_code != 401:
        raise RuntimeError(f"the API floor answered {anonymous.status_code} without a key")

    before = _inquiries_of(client)
    endpoint = timed(lambda: caller.post(ENDPOINT, body, 201))
    made = _inquiries_of(client) - before
    if made != WARM_UP + REQUESTS:
        raise RuntimeError(f"{WARM_UP + REQUESTS} submits made {made} inquiries")
    with CaptureQueriesContext(connection) as captured:
        answer = caller.post(ENDPOINT, body, 201)
    if list(json.loads(answer)) != ["reference"]:
        raise RuntimeError(f"the endpoint answered more than the reference: {answer!r}")
    queries = len(captured.captured_queries)

    framework = timed(lambda: caller.post(floor_path, body, 200, keyed=False))
    with CaptureQueriesContext(connection) as captured:
        caller.post(floor_path, body, 200, keyed=False)
    framework_queries = len(captured.captured_queries)

    run_floor = sql_floor(client)
    total_before = Inquiry.objects.count()
    floor = timed(run_floor)
    if Inquiry.objects.count() - total_before != WARM_UP + REQUESTS:
        raise RuntimeError("the SQL floor does not make one inquiry per run")

    ratio = {
        q: round(endpoint[f"{q}_ms"] / max(framework[f"{q}_ms"] + floor[f"{q}_ms"], 0.01), 1)
        for q in ("p50", "p95")
    }
    result = {
        "request": f"POST {ENDPOINT}",
        "body_bytes": len(body),
        **endpoint,
        "queries": queries,
        "framework_floor": {**framework, "queries": framework_queries},
        "floor": floor,
        "ratio_framework": ratio,
    }
    print(
        f"  {'API: submit an inquiry':<36} p50 {endpoint['p50_ms']:7.1f} ms  "
        f"p95 {endpoint['p95_ms']:7.1f} ms  cpu p50 {endpoint['cpu_p50_ms']:6.1f} ms  "
        f"{queries:3d} queries  floor p50 {floor['p50_ms']:6.2f} ms  "
        f"/(framework+floor) p50 {ratio['p50']:4.1f}x p95 {ratio['p95']:4.1f}x",
        flush=True,
    )
    print(
        f"  {'API framework floor':<36} p50 {framework['p50_ms']:7.1f} ms  "
        f"p95 {framework['p95_ms']:7.1f} ms  cpu p50 {framework['cpu_p50_ms']:6.1f} ms  "
        f"{framework_queries:3d} queries",
        flush=True,
    )

    # The load run's key and body, for bench/load_api.lua.
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    # A long bracket keeps the body's UTF-8 as it is (Lua has no \u escapes).
    (RUN_DIR / "api-load.lua").write_text(
        f'return {{ key = "{key}", run = "{uuid.uuid4().hex[:8]}",\n'
        f"  body = [==[{body.decode()}]==] }}\n"
    )
    return result
