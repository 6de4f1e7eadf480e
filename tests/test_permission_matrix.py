"""Every URL × every role → the status it must answer. Later issues add rows.

A record the user may not see answers 404 (its existence is not revealed); a page the role
has no business on answers 403; an anonymous visitor is sent to the login page.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from repatriation import services as return_services
from tests.factories import case_in, make_inquiry

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "hotline", "contact_person", "supervisor", "statistics", "administrator"]


@pytest.fixture
def world(hanne, karin, tove, stig, anna):
    received = make_inquiry(hanne)
    triaged = make_inquiry(hanne, state="triaged")
    referred = make_inquiry(hanne, state="referred")
    case = referred.persons.get().case
    own_case = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    assessed = case_in("assessed_trafficked", hotline=hanne, supervisor=tove, contact=karin)
    case_services.case_answer_offer(
        actor=karin,
        case_id=assessed.pk,
        version=assessed.version,
        accepted=True,
        on=timezone.localdate(),
    )
    assessed.refresh_from_db()
    own_return = return_services.return_start(
        actor=karin, case_id=assessed.pk, case_version=assessed.version
    )
    return {
        "users": {
            "hotline": hanne,
            "contact_person": karin,
            "supervisor": tove,
            "statistics": stig,
            "administrator": anna,
        },
        "received": received,
        "triaged": triaged,
        "case": case,
        "own_case": own_case,
        "own_return": own_return,
    }


def _url(world, name, kind):
    if kind is None:
        return reverse(name)
    if kind in ("case", "own_case", "own_return"):
        return reverse(name, args=[world[kind].pk])
    if kind == "missing":
        return reverse(name, args=[999_999])
    if kind.startswith("slug:"):
        return reverse(name, args=[kind.removeprefix("slug:")])
    obj, *step = kind.split(":")
    args = [world[obj].pk, *step]
    return reverse(name, args=args)


# (url name, object kind, method) → expected status per role, in ROLES order.
LOGIN = 302
MATRIX = [
    ("home", None, "get", [LOGIN, 302, 302, 302, 302, 200]),
    ("statistics", None, "get", [LOGIN, 403, 403, 200, 200, 403]),
    ("referrals:list", None, "get", [LOGIN, 200, 403, 200, 403, 403]),
    ("referrals:create", None, "get", [LOGIN, 200, 403, 200, 403, 403]),
    ("referrals:create", None, "post", [LOGIN, 200, 403, 200, 403, 403]),
    ("referrals:detail", "received", "get", [LOGIN, 200, 404, 200, 404, 404]),
    ("referrals:detail", "missing", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("referrals:edit", "received", "get", [LOGIN, 200, 404, 200, 404, 404]),
    ("referrals:edit", "missing", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("referrals:transition", "received:triage", "get", [LOGIN, 200, 404, 200, 404, 404]),
    # A stale version (0) is a conflict: back to the inquiry with a message.
    ("referrals:transition", "received:triage", "post", [LOGIN, 302, 404, 302, 404, 404]),
    ("referrals:transition", "triaged:refer", "get", [LOGIN, 200, 404, 200, 404, 404]),
    ("referrals:transition", "triaged:link", "get", [LOGIN, 200, 404, 200, 404, 404]),
    ("referrals:transition", "triaged:close", "get", [LOGIN, 200, 404, 200, 404, 404]),
    ("referrals:transition", "triaged:nonsense", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("cases:unassigned", None, "get", [LOGIN, 403, 403, 200, 403, 403]),
    ("cases:detail", "case", "get", [LOGIN, 404, 404, 200, 404, 404]),
    ("cases:detail", "missing", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("cases:mine", None, "get", [LOGIN, 403, 200, 403, 403, 403]),
    # Karin is the contact person of own_case; a supervisor may view it but not work on it.
    ("cases:detail", "own_case", "get", [LOGIN, 404, 200, 200, 404, 404]),
    ("cases:person", "own_case", "get", [LOGIN, 404, 200, 200, 404, 404]),
    ("cases:person", "case", "get", [LOGIN, 404, 404, 200, 404, 404]),
    ("cases:assign", "own_case", "get", [LOGIN, 404, 403, 200, 404, 404]),
    ("cases:assign", "case", "get", [LOGIN, 404, 404, 200, 404, 404]),
    ("cases:link_person", "case", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("cases:interview_new", "own_case", "get", [LOGIN, 404, 200, 403, 404, 404]),
    ("cases:interview_new", "case", "get", [LOGIN, 404, 404, 403, 404, 404]),
    ("cases:send", "own_case", "get", [LOGIN, 404, 200, 403, 404, 404]),
    ("cases:assess", "own_case", "get", [LOGIN, 404, 302, 403, 404, 404]),
    ("cases:note_add", "own_case", "post", [LOGIN, 404, 302, 403, 404, 404]),
    ("cases:consent_add", "own_case", "post", [LOGIN, 404, 302, 403, 404, 404]),
    ("cases:note_add", "case", "post", [LOGIN, 404, 404, 403, 404, 404]),
    ("cases:step", "own_case:placement", "get", [LOGIN, 404, 200, 403, 404, 404]),
    ("cases:step", "own_case:police-report", "post", [LOGIN, 404, 200, 403, 404, 404]),
    ("cases:step", "case:placement", "get", [LOGIN, 404, 404, 403, 404, 404]),
    ("cases:step", "own_case:reopen", "get", [LOGIN, 404, 403, 200, 404, 404]),
    ("cases:step", "own_case:nonsense", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("cases:extension_decide", "own_case", "post", [LOGIN, 404, 403, 404, 404, 404]),
    ("cases:queues", None, "get", [LOGIN, 200, 200, 200, 403, 403]),
    ("cases:queue", "slug:unassigned", "get", [LOGIN, 404, 200, 200, 403, 403]),
    ("cases:queue", "slug:untriaged", "get", [LOGIN, 200, 404, 200, 403, 403]),
    ("cases:queue", "slug:nonsense", "get", [LOGIN, 404, 404, 404, 403, 403]),
    ("cases:workload", None, "get", [LOGIN, 403, 403, 200, 403, 403]),
    ("cases:bulk_reassign", None, "post", [LOGIN, 403, 403, 302, 403, 403]),
    ("cases:retention", None, "get", [LOGIN, 403, 403, 200, 403, 403]),
    # The confirmation page shows; a wrong confirmation is refused on the same page.
    ("cases:anonymise", "own_case", "get", [LOGIN, 404, 404, 200, 404, 404]),
    ("cases:anonymise", "own_case", "post", [LOGIN, 404, 404, 200, 404, 404]),
    ("cases:anonymise", "missing", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("cases:legal_hold", "own_case", "get", [LOGIN, 404, 404, 200, 404, 404]),
    ("cases:legal_hold", "case", "post", [LOGIN, 404, 404, 200, 404, 404]),
    ("search", None, "get", [LOGIN, 200, 200, 200, 403, 403]),
    ("search", None, "post", [LOGIN, 200, 200, 200, 403, 403]),
    ("audit:person", "own_case", "get", [LOGIN, 403, 403, 200, 403, 403]),
    ("audit:user", "missing", "get", [LOGIN, 403, 403, 404, 403, 403]),
    ("audit:export", None, "get", [LOGIN, 403, 403, 200, 403, 403]),
    ("repatriation:detail", "own_return", "get", [LOGIN, 404, 200, 200, 404, 404]),
    ("repatriation:edit", "own_return", "get", [LOGIN, 404, 200, 200, 404, 404]),
    ("repatriation:payment_add", "own_return", "get", [LOGIN, 404, 200, 200, 404, 404]),
    ("repatriation:step", "own_return:stop", "get", [LOGIN, 404, 200, 200, 404, 404]),
    ("repatriation:step", "own_return:to_safety", "get", [LOGIN, 404, 200, 200, 404, 404]),
    ("repatriation:step", "own_return:nonsense", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("repatriation:detail", "missing", "get", [LOGIN, 404, 404, 404, 404, 404]),
    ("repatriation:start", "case", "post", [LOGIN, 404, 404, 302, 404, 404]),
    ("admin:index", None, "get", [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200]),
    ("admin:auth_user_changelist", None, "get", [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200]),
    ("admin:audit_auditevent_changelist", None, "get", [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 403]),
]


@pytest.mark.parametrize(("name", "kind", "method", "expected"), MATRIX)
def test_permission_matrix(world, login, client, name, kind, method, expected):
    url = _url(world, name, kind)
    for role, status in zip(ROLES, expected, strict=True):
        http = client if role == "anonymous" else login(world["users"][role])
        response = getattr(http, method)(url, {"version": "0"} if method == "post" else None)
        assert response.status_code == status, f"{role} {method.upper()} {url}"
        if role == "anonymous":
            assert "/login/" in response["Location"]


def test_the_administrator_sees_no_case_or_inquiry_in_the_admin(anna, login):
    html = login(anna).get(reverse("admin:index")).content.decode()
    assert "/admin/referrals/" not in html
    assert "/admin/cases/" not in html
