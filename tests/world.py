"""One set of records and logged-in personas shared by a whole test module.

The permission matrix and the canary test each ask hundreds of questions of the same data;
building it (through the real services) and logging six personas in with both factors for
every question would make them slow. So the module builds it once inside a transaction that
is rolled back when the module ends, and every test runs in a savepoint inside it (pytest-
django's usual test transaction), so whatever a test changes is undone before the next.
"""

import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from api import clients as api_clients
from cases import services as case_services
from cases.models import Case
from cmm.audit.models import AuditEvent
from cmm.core import drafts
from repatriation import services as return_services
from rules import services as rule_services
from tests.factories import UserFactory, case_in, make_inquiry
from tests.twofactor import app_device_for, code_now


@contextmanager
def module_data(django_db_blocker) -> Iterator[None]:
    """Data created inside stays for the module and is rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@contextmanager
def cookies_kept(clients: dict[str, Client]) -> Iterator[None]:
    """Put each client's cookies back afterwards. A test may move a session to a new key
    (the admin's password change cycles the key of whoever changes it); the row under the
    new key is rolled back with the test, the one under the old key is back."""
    saved = {role: copy.deepcopy(client.cookies) for role, client in clients.items()}
    try:
        yield
    finally:
        for role, client in clients.items():
            client.cookies = saved[role]


def verified_client(user) -> Client:
    """A client past both factors, as the `login` fixture gives, for module-scoped use."""
    client = Client()
    client.force_login(user)
    device = app_device_for(user)
    response = client.post(reverse("two_factor_verify"), {"code": code_now(device)})
    assert response.status_code == 302, "the second factor was refused"
    return client


def url_for(world: "World", name: str, kind: str | None) -> str:
    """`kind` lists the URL's arguments separated by ':' (names from world.ids, else
    literal), optionally followed by a query string whose values are looked up the same way."""
    if kind is None:
        return reverse(name)
    path_part, _, query = kind.partition("?")
    args = [world.ids.get(part, part) for part in path_part.split(":")]
    url = reverse(name, args=args)
    if query:
        key, _, value = query.partition("=")
        url += f"?{key}={world.ids.get(value, value)}"
    return url


def url_names(resolver: URLResolver, namespace: str = "") -> list[tuple[str | None, str]]:
    """Every pattern under `resolver` as (namespaced name or None, route)."""
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found += [
                (name, f"{pattern.pattern}{route}") for name, route in url_names(pattern, inner)
            ]
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            found.append((name, str(pattern.pattern)))
    return found


def _token(label: str) -> str:
    # Unique per run, so a marker found in a page can only have come from this record.
    return f"{label}{uuid.uuid4().hex[:8].upper()}"


@dataclass
class World:
    users: dict
    records: dict
    # URL-argument names used by the matrix rows → the value (a pk, a year, ...).
    ids: dict
    # (marker text, roles that may see it): a role outside the set must never get a page,
    # file or JSON answer containing the text.
    markers: list = field(default_factory=list)


def _set_name(actor, case, name: str):
    case_services.person_update(
        actor=actor, case_id=case.pk, version=case.version, data={"name": name}
    )
    case.refresh_from_db()
    return case


def build_world() -> World:
    """Every persona, and records of each kind with markers naming who may see them."""
    hanne = UserFactory(username="hanne", role="hotline")
    karin = UserFactory(username="karin", role="contact_person")
    kasper = UserFactory(username="kasper", role="contact_person")
    tove = UserFactory(username="tove", role="supervisor")
    stig = UserFactory(username="stig", role="statistics")
    anna = UserFactory(username="anna", role="administrator")
    anna.is_staff = True
    anna.save()
    users = {
        "hotline": hanne,
        "contact_person": karin,
        "other_contact": kasper,
        "supervisor": tove,
        "statistics": stig,
        "administrator": anna,
    }

    inquiry_alias = _token("Matrixhenvendelse")
    received = make_inquiry(hanne, summary=_token("Matrixresume"))
    received.persons.update(alias=inquiry_alias)
    triaged = make_inquiry(hanne, state="triaged")

    # Awaiting a contact person: only supervisors work on it.
    unassigned = make_inquiry(hanne, state="referred").persons.get().case
    unassigned = _set_name(tove, unassigned, _token("Matrixventer"))

    # Karin's course in identification, with a journal note.
    own_case = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    own_case = _set_name(karin, own_case, _token("Matrixejer"))
    own_note = _token("Matrixjournal")
    case_services.note_add(actor=karin, case_id=own_case.pk, text=own_note)
    own_case.refresh_from_db()

    # Karin's course in support, with a prepared return.
    supported = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    supported = _set_name(karin, supported, _token("Matrixhjemrejse"))
    own_return = return_services.return_start(
        actor=karin, case_id=supported.pk, case_version=supported.version
    )
    supported.refresh_from_db()

    # Kasper's course: Karin must see nothing of it, as Kasper nothing of hers.
    kasper_case = case_in("awaiting_interview", hotline=hanne, supervisor=tove, contact=kasper)
    kasper_case = _set_name(kasper, kasper_case, _token("Matrixkollega"))
    kasper_note = _token("Matrixkollegajournal")
    case_services.note_add(actor=kasper, case_id=kasper_case.pk, text=kasper_note)
    kasper_case.refresh_from_db()

    # A draft Karin left on her own case's person page.
    draft_path = reverse("cases:person", args=[own_case.pk])
    drafts.draft_save(
        owner=karin, path=draft_path, forms={"person": {"name": [own_case.person.name]}}
    )

    # A partner's API client: the administrator's pages act on it.
    api_client, _key = api_clients.client_create(
        actor=anna,
        name="Matrixpartner",
        partner_type="police",
        contact="matrix@example.invalid",
        scopes=["inquiries:submit"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )

    # A supervisor's proposal of new rules: the supervisors' pages act on it.
    rules_now = rule_services.in_force().values
    proposal = rule_services.version_propose(
        actor=users["supervisor"],
        effective_from=timezone.localdate() + timedelta(days=30),
        values=rules_now,
        reason="Matrix: a proposal for the permission matrix.",
    )

    ids = {
        "missing": 999_999,
        "rule_version": proposal.pk,
        "api_client": api_client.pk,
        "received_ref": received.reference,
        "received": received.pk,
        "triaged": triaged.pk,
        "case": unassigned.pk,
        "own_case": own_case.pk,
        "supported": supported.pk,
        "kasper_case": kasper_case.pk,
        "own_return": own_return.pk,
        "kasper_person": kasper_case.person_id,
        "year": timezone.localdate().year,
        "group_hotline": Group.objects.get(name="hotline").pk,
        "case_type": ContentType.objects.get_for_model(Case).pk,
        "event": AuditEvent.objects.order_by("pk").values_list("pk", flat=True).first(),
        **{f"user_{role}": user.pk for role, user in users.items()},
    }
    everyone_with_cases = {"supervisor"}
    markers = [
        (inquiry_alias, {"hotline", "supervisor"}),
        (received.summary, {"hotline", "supervisor"}),
        (received.reference, {"hotline", "supervisor"}),
        (triaged.reference, {"hotline", "supervisor"}),
        (unassigned.person.name, everyone_with_cases),
        (own_case.person.name, {"contact_person", "supervisor"}),
        (own_note, {"contact_person", "supervisor"}),
        (supported.person.name, {"contact_person", "supervisor"}),
        (kasper_case.person.name, {"other_contact", "supervisor"}),
        (kasper_note, {"other_contact", "supervisor"}),
        # Hotline referred these cases and sees their references on its inquiries.
        (unassigned.reference, {"hotline", "supervisor"}),
        (own_case.reference, {"hotline", "contact_person", "supervisor"}),
        (supported.reference, {"hotline", "contact_person", "supervisor"}),
        (kasper_case.reference, {"hotline", "other_contact", "supervisor"}),
    ]
    return World(
        users=users,
        records={
            "received": received,
            "triaged": triaged,
            "case": unassigned,
            "own_case": own_case,
            "supported": supported,
            "own_return": own_return,
            "kasper_case": kasper_case,
        },
        ids=ids,
        markers=markers,
    )
