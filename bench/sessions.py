"""50 logged-in sessions for the load run, printed as a Lua table for bench/load.lua.

Each session logs in through the real second-factor page (Django's test client against
the same database gunicorn serves), so its cookie is one a browser would hold. The mix:
10 hotline sessions, 10 supervisor sessions (5 supervisors, two tabs each) and 30 contact
persons, each with the requests their working day is made of, weighted by how often they
make them.
"""

import random
import secrets

from common import login, user
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q

from cases.models import Case
from cases.queues import QUEUES
from referrals.models import Inquiry

random.seed(2026)

SESSIONS = {"hotline": 10, "supervisor": 10, "contact_person": 30}


def search_terms() -> list[str]:
    """Surnames and full names of real (synthetic) persons, and a few references."""
    names = list(Case.objects.order_by("-opened_at").values_list("person__name", flat=True)[:200])
    refs = list(Case.objects.order_by("-opened_at").values_list("reference", flat=True)[:20])
    return [n.split()[-1] for n in names[:20]] + names[20:40] + refs


def requests_for(role: str, person: User, terms: list[str]) -> list[tuple[str, str, str]]:
    """(method, path, form body) of the session's requests; repeated by weight."""
    recent_inquiries = list(
        Inquiry.objects.order_by("-received_at").values_list("pk", flat=True)[:300]
    )
    reqs: list[tuple[str, str, str]] = []

    def add(weight: int, method: str, path: str, body: str = "") -> None:
        reqs.extend([(method, path, body)] * weight)

    def search(weight: int) -> None:
        for term in random.sample(terms, weight):
            add(1, "POST", "/search/", "q=" + term.replace(" ", "+"))

    if role == "hotline":
        add(8, "GET", "/inquiries/")
        add(2, "GET", "/inquiries/?show=today")
        for pk in random.sample(recent_inquiries, 6):
            add(1, "GET", f"/inquiries/{pk}/")
        add(2, "GET", "/cases/queues/urgent-inquiries/")
        search(2)
    elif role == "supervisor":
        for q in QUEUES:
            add(1, "GET", f"/cases/queues/{q.slug}/")
        add(2, "GET", "/cases/unassigned/")
        add(1, "GET", "/cases/workload/")
        add(1, "GET", "/inquiries/")
        open_cases = list(
            Case.objects.exclude(state__in=["ended", "assessed_not_trafficked"])
            .order_by("-opened_at")
            .values_list("pk", flat=True)[:300]
        )
        for pk in random.sample(open_cases, min(6, len(open_cases))):
            add(1, "GET", f"/cases/{pk}/")
        search(2)
    else:
        add(6, "GET", "/cases/mine/")
        own = list(
            Case.objects.filter(Q(contact_person=person) | Q(deputy=person))
            .exclude(state__in=["ended", "assessed_not_trafficked"])
            .order_by("-state_changed_at")
            .values_list("pk", flat=True)[:50]
        )
        if not own:
            own = list(
                Case.objects.filter(contact_person=person)
                .order_by("-opened_at")
                .values_list("pk", flat=True)[:10]
            )
        for pk in random.sample(own, min(6, len(own))):
            add(1, "GET", f"/cases/{pk}/")
        # Now and then the timeline of the case changed last.
        add(1, "GET", f"/cases/{own[0]}/timeline/")
        add(2, "GET", "/cases/queues/")
        search(1)
    return reqs


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> None:
    terms = search_terms()
    people = {
        "hotline": [user(f"bench-hotline-{i:02d}") for i in range(1, 11)],
        "supervisor": [user(f"bench-supervisor-{i:02d}") for i in range(1, 6)],
        "contact_person": [user(f"bench-contact-{i:03d}") for i in range(1, 31)],
    }
    lines = ["return {"]
    for role, count in SESSIONS.items():
        for n in range(count):
            person = people[role][n % len(people[role])]
            client = login(person)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            # Django accepts its unmasked 32-character secret as the form's token too.
            csrf = secrets.token_hex(16)
            reqs = ", ".join(
                "{" + ", ".join(lua_string(x) for x in r) + "}"
                for r in requests_for(role, person, terms)
            )
            cookies = f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={csrf}"
            lines.append(
                f"  {{role = {lua_string(role)}, cookie = {lua_string(cookies)}, "
                f"csrf = {lua_string(csrf)}, requests = {{{reqs}}}}},"
            )
    lines.append("}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
