"""Reading cases: every list a user sees is filtered by what they may see."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.models import Case, CaseState, Consent, ConsentKind, Person
from cases.models.case import CaseGroupObjectPermission, CaseUserObjectPermission
from cmm.audit.models import AuditEvent
from cmm.core.names import fold


def cases_visible_to(user: AbstractBaseUser) -> QuerySet[Case]:
    """Supervisors see every case by role; anyone else only the cases granted to them."""
    if user.has_perm("cases.view_case"):
        return Case.objects.all()
    if user.is_anonymous:
        return Case.objects.none()
    # The cases guardian granted view_case on, to the user or to one of their groups, as
    # guardian's get_objects_for_user(accept_global_perms=False) finds them; but checked
    # per case (EXISTS, served by the permission tables' indexes) where guardian's
    # "id IN (SELECT id FROM cases_case WHERE ...)" read every case.
    view_case = {
        "content_object": OuterRef("pk"),
        "permission__content_type": ContentType.objects.get_for_model(Case),
        "permission__codename": "view_case",
    }
    return Case.objects.filter(
        Exists(CaseUserObjectPermission.objects.filter(user=user, **view_case))
        | Exists(CaseGroupObjectPermission.objects.filter(group__user=user, **view_case))
    )


def unassigned_cases(user: AbstractBaseUser) -> QuerySet[Case]:
    """Referred persons waiting for a contact person, urgent first, oldest first."""
    return (
        cases_visible_to(user)
        .filter(state=CaseState.AWAITING_ASSIGNMENT)
        .select_related("person")
        .order_by("-is_urgent", "opened_at", "id")
    )


def my_cases(user: AbstractBaseUser) -> QuerySet:
    """The open cases the user is contact person or deputy on, longest waiting first: the
    ids and dates only (`cases_by_id` reads a page's cases).

    Two halves joined by UNION ALL, the cases as contact person read in order from an index
    holding what the list sorts and filters by (case_contact_waiting), the few as deputy
    only: an OR of the two read all 7,500 cases of a busy contact person, with their
    persons, to sort them for a page of 50."""
    open_cases = cases_visible_to(user).exclude(state=CaseState.ASSESSED_NOT_TRAFFICKED)
    as_contact = open_cases.filter(contact_person=user)
    as_deputy = open_cases.filter(deputy=user).exclude(contact_person=user)
    # The halves carry no ordering of their own: SQLite refuses one in a compound statement.
    return (
        as_contact.order_by()
        .values_list("id", "state_changed_at")
        .union(as_deputy.order_by().values_list("id", "state_changed_at"), all=True)
        .order_by("state_changed_at", "id")
    )


def cases_by_id(ids: list[int]) -> list[Case]:
    """The cases of a list's page, with their persons, contact persons, deputies and
    assessments (a decision received through the API is marked), in the order of `ids`."""
    by_id = Case.objects.select_related("person", "contact_person", "deputy", "assessment").in_bulk(
        ids
    )
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass
class PossibleDuplicate:
    person: Person
    reasons: list[str]


def possible_duplicates(person: Person, limit: int = 10) -> list[PossibleDuplicate]:
    """Persons CMM already knows who may be this one (a recurring person, genganger).

    A candidate shares at least one name token (names and aliases compared accent- and
    case-insensitively, Danish letters and their transliterations alike) and also the date
    of birth or the nationality, or shares every name token.
    """
    tokens = set(person.name_key.split())
    if not tokens:
        return []
    match_any = Q()
    for token in tokens:
        match_any |= Q(name_key__contains=f" {token} ")
    candidates = (
        Person.objects.filter(match_any).exclude(pk=person.pk).order_by("-created_at")[:200]
    )
    found = []
    for candidate in candidates:
        shared = tokens & set(candidate.name_key.split())
        reasons = []
        if shared == tokens or shared == set(candidate.name_key.split()):
            reasons.append("name")
        elif shared:
            reasons.append("partial_name")
        if person.birth_date and candidate.birth_date == person.birth_date:
            reasons.append("birth_date")
        elif _close_estimate(person, candidate):
            reasons.append("similar_age")
        if person.nationality and candidate.nationality == person.nationality:
            reasons.append("nationality")
        if "name" in reasons or len(reasons) >= 2:
            found.append(PossibleDuplicate(candidate, reasons))
    found.sort(key=lambda d: -len(d.reasons))
    return found[:limit]


def _close_estimate(a: Person, b: Person) -> bool:
    if not (a.birth_date and b.birth_date):
        return False
    if not (a.birth_date_is_estimate or b.birth_date_is_estimate):
        return False
    return abs((a.birth_date - b.birth_date).days) <= 2 * 365


def consent_status(case: Case) -> dict[str, Consent | None]:
    """The newest consent record of each kind (None where nothing is recorded)."""
    newest: dict[str, Consent | None] = {kind: None for kind in ConsentKind.values}
    for consent in case.consents.select_related("recorded_by").order_by("recorded_at", "id"):
        newest[consent.kind] = consent
    return newest


def has_consent(case: Case, kind: str) -> bool:
    consent = consent_status(case)[kind]
    return consent is not None and consent.given


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    """Everything that happened on the case, its person, interviews, assessment, notes,
    consents and inquiries, oldest first (views left out: they are not the case's story)."""
    # Both kinds of inquiry in one query (no ordering in the halves: SQLite refuses one).
    inquiry_refs = list(
        case.inquiry_persons.order_by()
        .values_list("inquiry__reference", flat=True)
        .union(case.linked_inquiries.order_by().values_list("reference", flat=True))
    )
    return (
        AuditEvent.objects.filter(
            Q(object_ref=case.reference)
            | Q(object_ref__startswith=f"{case.reference}/")
            | Q(object_ref=case.person.reference)
            | Q(object_ref__in=inquiry_refs)
        )
        .exclude(action=AuditEvent.Action.VIEW)
        .select_related("actor")
        .order_by("at", "id")
    )


def _tokens_query(field: str, query: str) -> Q:
    """Every token of the query must start a token of the folded names."""
    condition = Q()
    for token in fold(query).split():
        condition &= Q(**{f"{field}__contains": f" {token}"})
    return condition


def search_cases(user: AbstractBaseUser, query: str) -> QuerySet[Case]:
    """Cases the user may see whose reference, or person's name or alias, matches; case-
    and accent-insensitive, Danish letters and their transliterations alike."""
    tokens = _tokens_query("name_key", query)
    matching = Case.objects.filter(reference__iexact=query.strip()).order_by().values("pk")
    if tokens:
        # Two index-served halves joined by UNION: the reference, and the cases of the
        # persons whose names have every token (a trigram index on PostgreSQL). An OR of
        # the two made PostgreSQL read every case in date order and test each.
        by_person = Case.objects.filter(person__in=Person.objects.filter(tokens))
        matching = matching.union(by_person.order_by().values("pk"))
    return (
        cases_visible_to(user)
        .filter(pk__in=matching)
        .select_related("person", "contact_person")
        .order_by("-opened_at", "-id")
    )


def search_inquiries(query: str) -> QuerySet:
    """Inquiries by reference or by the alias of a person concerned (hotline, supervisors);
    as search_cases, case- and accent-insensitive, Danish letters and their transliterations
    alike."""
    from referrals.models import Inquiry, InquiryPerson

    by_reference = Inquiry.objects.filter(reference__iexact=query.strip())
    tokens = _tokens_query("alias_key", query)
    if not tokens:
        return by_reference.order_by("-received_at", "-id")
    # Two index-served halves (the reference, and persons whose alias has every token: a
    # trigram index on PostgreSQL) joined by UNION, which also drops an inquiry found
    # twice; an OR across the join read a million inquiries and their persons.
    by_alias = Inquiry.objects.filter(
        pk__in=InquiryPerson.objects.filter(tokens).values("inquiry_id")
    )
    # The halves carry no ordering of their own (the model's default would be one):
    # SQLite refuses ORDER BY inside a compound statement.
    return by_reference.order_by().union(by_alias.order_by()).order_by("-received_at", "-id")
