"""Named personas for every role (style.md §11) and a logged-in client for each."""

import pytest
from django.test import Client

from tests.factories import UserFactory, make_inquiry


@pytest.fixture
def hanne(db):
    """Hotline intake."""
    return UserFactory(username="hanne", role="hotline")


@pytest.fixture
def karin(db):
    """A contact person."""
    return UserFactory(username="karin", role="contact_person")


@pytest.fixture
def kasper(db):
    """Karin's colleague, who must not see her cases."""
    return UserFactory(username="kasper", role="contact_person")


@pytest.fixture
def tove(db):
    """A supervisor."""
    return UserFactory(username="tove", role="supervisor")


@pytest.fixture
def stig(db):
    """The statistics role."""
    return UserFactory(username="stig", role="statistics")


@pytest.fixture
def anna(db):
    """The administrator of user accounts."""
    user = UserFactory(username="anna", role="administrator")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def nobody(db):
    """A logged-in account with no role."""
    return UserFactory(username="nobody")


@pytest.fixture
def login():
    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def inquiry(hanne):
    return make_inquiry(hanne)
