import pytest
from django.contrib.auth.hashers import identify_hasher
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from cmm.audit.models import AuditEvent
from stats.exports import safe_cell
from tests.factories import make_inquiry
from tests.race import postgresql_only

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(login, hanne):
    response = login(hanne).get(reverse("referrals:list"))
    policy = response["Content-Security-Policy"]
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "default-src 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_passwords_are_hashed_with_argon2(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = django_user_model.objects.create_user("argon", password="a long enough passphrase")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_short_and_common_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("kort1234", "password1234"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("en lang nok sætning til login")


def test_cookies_carry_the_host_prefix_outside_debug(settings):
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert settings.SESSION_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_export_cells_that_look_like_formulas_are_neutralised(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("NG") == "NG" and safe_cell(-3) == -3


@postgresql_only
def test_the_database_refuses_to_change_or_delete_audit_events(hanne):
    event = AuditEvent.objects.for_object(make_inquiry(hanne)).first()
    for sql in (
        "UPDATE audit_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""
