"""Named personas for every role (style.md §11) and a logged-in client for each."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, make_inquiry
from tests.twofactor import app_device_for, code_now


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
    """A client logged in with both factors: the password step, then a code from the
    user's authenticator app through the real second-factor page."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        device = app_device_for(user)
        response = client.post(reverse("two_factor_verify"), {"code": code_now(device)})
        if user.is_active:
            assert response.status_code == 302, "the second factor was refused"
            assert client.session.get("otp_device_id") == device.persistent_id
        return client

    return _login


@pytest.fixture
def admin_client(admin_user, login) -> Client:
    """pytest-django's superuser client, logged in with both factors like everyone else."""
    return login(admin_user)


@pytest.fixture
def inquiry(hanne):
    return make_inquiry(hanne)
