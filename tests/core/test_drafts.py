"""A draft is kept only for a form page its author may open, asked again when it comes back.

The pages and their answers come from the permission matrix, so a form page added there is
asked here too: for every role, saving a draft of a page succeeds exactly when the role can
open that page (its GET answers neither 403 nor 404).
"""

import json
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from cmm.core.drafts import DRAFT_PAGES
from cmm.core.models import Draft
from tests.test_permission_matrix import MATRIX, ROLES
from tests.world import build_world, cookies_kept, module_data, url_for, verified_client

pytestmark = pytest.mark.django_db

USERS = [role for role in ROLES if role != "anonymous"]

# Each draft page's path → the matrix's GET kinds that open it (a query string, such as
# link-person's ?person=, is not part of a draft's path).
PAGE_KINDS: dict[tuple[str, str], list[str | None]] = defaultdict(list)
for _name, _kind, _method, _statuses in MATRIX:
    if _name in DRAFT_PAGES and _method == "get":
        PAGE_KINDS[(_name, (_kind or "").partition("?")[0])].append(_kind)
PAGES = sorted(PAGE_KINDS)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        with django_db_blocker.unblock():
            built = build_world()
            built.clients = {role: verified_client(user) for role, user in built.users.items()}
        yield built


@pytest.fixture(autouse=True)
def _sessions_kept(world):
    with cookies_kept(world.clients):
        yield


def _post(client, name: str, body: dict):
    return client.post(reverse(name), json.dumps(body), content_type="application/json")


def test_every_draft_page_is_asked():
    assert {name for name, _path in PAGES} == set(DRAFT_PAGES)


@pytest.mark.parametrize("role", USERS)
@pytest.mark.parametrize(("name", "path_kind"), PAGES, ids=lambda v: str(v))
def test_a_draft_is_kept_only_where_its_author_may_open_the_page(world, role, name, path_kind):
    client = world.clients[role]
    kinds = PAGE_KINDS[(name, path_kind)]
    urls = [url_for(world, name, kind) for kind in kinds]
    path = urlsplit(urls[0]).path
    opens = any(client.get(url).status_code not in (403, 404) for url in urls)
    owner = world.users[role]

    saved = _post(client, "draft_save", {"path": path, "forms": {"#1": {"note": ["udkast"]}}})

    assert saved.status_code == (201 if opens else 403), f"{role} on {urls}"
    assert Draft.objects.filter(owner=owner, path=path).exists() == opens
    restored = _post(client, "draft_restore", {"path": path})
    if opens:
        assert restored.json()["forms"] == {"#1": {"note": ["udkast"]}}
    else:
        assert restored.status_code == 403
        assert not Draft.objects.filter(owner=owner, path=path).exists()
