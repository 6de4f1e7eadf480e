"""Two-factor login (ASVS 6.3.3): after the password nothing with personal data is reachable
until a code from the authenticator app (or a recovery code) is verified."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmm.audit.models import AuditEvent
from cmm.core.models import UserSession
from cmm.core.twofactor import new_recovery_codes
from repatriation import services as return_services
from tests.factories import case_in, make_inquiry
from tests.twofactor import app_device_for, code_now

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/two-factor/"
PASSWORD = "test-password-123"
# Reachable with the password alone: nothing in them is anyone's personal data.
OPEN = {"two_factor_verify", "two_factor_enrol", "logout", "set_language"}


@pytest.fixture
def world(hanne, karin, tove, stig, anna):
    """Records the users could otherwise see, one of each kind a URL points at."""
    received = make_inquiry(hanne)
    referred = make_inquiry(hanne, state="referred")
    own_case = case_in("interviewing", hotline=hanne, supervisor=tove, contact=karin)
    assessed = case_in("in_support", hotline=hanne, supervisor=tove, contact=karin)
    own_return = return_services.return_start(
        actor=karin, case_id=assessed.pk, case_version=assessed.version
    )
    return {
        "users": {"hotline": hanne, "supervisor": tove, "administrator": anna},
        "received": received,
        "case": referred.persons.get().case,
        "own_case": own_case,
        "own_return": own_return,
    }


def password_only(user: User) -> Client:
    """A client that has passed the real password step and nothing more."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def second_factor(client: Client, code: str):
    return client.post(reverse("two_factor_verify"), {"code": code})


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern)


def _concrete(route: str, world) -> str:
    """A real URL for a route, pointing at records the users could otherwise see."""
    case, own_return = world["case"], world["own_return"]
    samples = {
        "inquiries/<int:pk>": f"inquiries/{world['received'].pk}",
        "cases/<int:pk>": f"cases/{world['own_case'].pk}",
        "returns/<int:pk>": f"returns/{own_return.pk}",
        "returns/start/<int:case_pk>": f"returns/start/{case.pk}",
        "audit/cases/<int:pk>": f"audit/cases/{world['own_case'].pk}",
        "audit/users/<int:user_id>": f"audit/users/{world['users']['hotline'].pk}",
        "statistics/<int:year>": f"statistics/{timezone.localdate().year}",
        "<int:user_id>/reset-two-factor": f"{world['users']['hotline'].pk}/reset-two-factor",
        "<slug:step>": "triage",
        "<slug:slug>": "unassigned",
        "<slug:fmt>": "json",
        "<path:object_id>": str(world["users"]["hotline"].pk),
        "<path:content_type_id>": "1",
        "<int:pk>": "1",
        "<str:reference>": "I-2026-00001",
        "<id>": str(world["users"]["hotline"].pk),
        "^(?P<app_label>auth|": "auth/$",
        "(?P<url>.*)$": "nothing-here/",
        "^(?P<rest>.*)$": "v1/nothing/",
    }
    url = route
    for pattern, value in samples.items():
        url = url.replace(pattern, value)
    url = re.sub(r"auth/\$.*\$", "auth/", url)
    assert "<" not in url and "(?P" not in url, f"no sample for {route}"
    return "/" + url


def test_every_url_sends_a_password_only_session_to_the_second_factor(world):
    routes = sorted(set(_walk(get_resolver().url_patterns)))
    assert len(routes) > 50  # the walk reached the apps and the admin
    personal = [
        "Testperson",
        world["case"].reference,
        world["own_case"].reference,
        world["received"].reference,
    ]
    # The supervisor sees every case; the administrator is staff on the admin site.
    users = [world["users"]["supervisor"], world["users"]["administrator"]]
    checked = 0
    for route in routes:
        url = _concrete(route, world)
        for user in users:
            for method in ("get", "post"):
                client = password_only(user)
                response = getattr(client, method)(url)
                body = response.content.decode(errors="replace")
                for marker in personal:
                    assert marker not in body, f"{method.upper()} {url} shows {marker}"
                view = response.resolver_match.view_name if response.resolver_match else None
                if view in OPEN:
                    continue
                assert response.status_code == 302, f"{user} {method.upper()} {url}"
                assert response["Location"].startswith(VERIFY), f"{method.upper()} {url}"
                checked += 1
    assert checked > 200


def test_the_login_page_itself_moves_a_half_logged_in_user_on_to_the_second_factor(hanne):
    app_device_for(hanne)
    client = password_only(hanne)
    response = client.get(reverse("referrals:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Finquiries%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    # No navigation, counts or search before the second factor; logging out is possible.
    html = page.content.decode()
    assert "nav-search" not in html and 'href="/inquiries/"' not in html
    assert reverse("logout") in html


def test_first_login_goes_to_enrolment_with_an_inline_svg_qr_code_and_the_key(hanne):
    client = password_only(hanne)
    response = client.get(reverse("referrals:list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_enrol"))
    html = response.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    # The strict CSP allows no inline style: the SVG carries none, nor any script or link.
    assert "style" not in svg.lower()
    assert "<script" not in svg and "href" not in svg and "<?xml" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    device = TOTPDevice.objects.get(user=hanne)
    assert not device.confirmed
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert shown.replace(" ", "") == secret
    # Reloading keeps the same key: the QR code scanned a moment ago stays valid.
    client.get(reverse("two_factor_enrol"))
    assert TOTPDevice.objects.get(user=hanne).key == device.key

    confirmed = client.post(
        reverse("two_factor_enrol"), {"code": code_now(device), "next": "/inquiries/"}
    )
    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", confirmed.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=hanne).confirmed
    assert sorted(StaticDevice.objects.get(user=hanne).token_set.values_list("token", flat=True))
    assert client.get(reverse("referrals:list")).status_code == 200
    # Enrolled: the enrolment page is closed, so a password alone cannot add another app.
    again = password_only(hanne)
    assert again.get(reverse("two_factor_enrol"))["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=hanne).count() == 1


def test_a_wrong_code_at_enrolment_is_refused_in_danish(hanne):
    client = password_only(hanne)
    client.get(reverse("two_factor_enrol"))
    response = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert "Koden er forkert" in response.content.decode()
    assert not TOTPDevice.objects.get(user=hanne).confirmed
    assert client.get(reverse("referrals:list")).status_code == 302


def test_the_app_code_completes_the_login_with_a_new_session_id(hanne):
    device = app_device_for(hanne)
    # Frozen clock: the replay below must fall in the same 30-second step as the first code,
    # however slowly a loaded machine runs the test.
    with time_machine.travel(timezone.now(), tick=False):
        client = password_only(hanne)
        before = client.cookies["__Host-sessionid"].value
        response = second_factor(client, code_now(device))
        assert response.status_code == 302 and response["Location"] == reverse("home")
        assert client.cookies["__Host-sessionid"].value != before
        assert client.get(reverse("referrals:list")).status_code == 200
        # The same code cannot be used again, in another session either.
        other = password_only(hanne)
        replay = second_factor(other, code_now(device, allow_reuse=False))
        assert replay.status_code == 200
        assert other.get(reverse("referrals:list")).status_code == 302


def test_a_wrong_code_is_refused_and_repeated_tries_are_throttled_in_danish(hanne):
    device = app_device_for(hanne)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = password_only(hanne)
        wrong = second_factor(client, "123456" if code_now(device) != "123456" else "654321")
        assert wrong.status_code == 200
        assert "Koden er forkert" in wrong.content.decode()
        failed = AuditEvent.objects.get(action="login_failed", actor=hanne)
        assert failed.changes["step"] == "second factor" and "123456" not in str(failed.changes)
        # Straight after a wrong code even the right one must wait.
        throttled = second_factor(client, code_now(device, allow_reuse=False))
        assert "For mange forkerte koder" in throttled.content.decode()
        assert client.get(reverse("referrals:list")).status_code == 302
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        assert second_factor(client, code_now(device, allow_reuse=False)).status_code == 302
        assert client.get(reverse("referrals:list")).status_code == 200


def test_a_recovery_code_works_once_and_only_once(hanne):
    app_device_for(hanne)
    first, second, *_rest = new_recovery_codes(hanne)

    client = password_only(hanne)
    used = second_factor(client, first.upper())  # typed in capitals: still the code
    assert used.status_code == 302
    page = client.get(reverse("referrals:list"))
    assert page.status_code == 200
    assert "9 koder tilbage" in page.content.decode()

    again = password_only(hanne)
    refused = second_factor(again, first)
    assert refused.status_code == 200
    assert "Gendannelseskoden er forkert eller allerede brugt" in refused.content.decode()
    assert again.get(reverse("referrals:list")).status_code == 302

    # The throttle applies to recovery codes too; after its pause the next code works.
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        assert second_factor(again, second).status_code == 302
    assert StaticDevice.objects.get(user=hanne).token_set.count() == 8


def test_new_recovery_codes_need_a_fresh_app_code_and_replace_the_old(login, hanne):
    device = app_device_for(hanne)
    old = new_recovery_codes(hanne)
    client = login(hanne)
    page = client.get(reverse("two_factor_recovery_codes"))
    assert page.status_code == 200
    refused = client.post(reverse("two_factor_recovery_codes"), {"code": old[0]})
    assert refused.status_code == 200 and "<code>" not in refused.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        response = client.post(reverse("two_factor_recovery_codes"), {"code": code_now(device)})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    tokens = set(StaticDevice.objects.get(user=hanne).token_set.values_list("token", flat=True))
    assert tokens == set(new)


def test_an_administrator_resets_a_users_second_factor_audited_and_ending_their_sessions(
    login, anna, hanne, django_capture_on_commit_callbacks
):
    hanne_client = login(hanne)
    new_recovery_codes(hanne)
    assert hanne_client.get(reverse("referrals:list")).status_code == 200
    admin = login(anna)
    url = reverse("admin:auth_user_reset_two_factor", args=[hanne.pk])
    change_page = admin.get(reverse("admin:auth_user_change", args=[hanne.pk])).content.decode()
    assert url in change_page
    confirm = admin.get(url)
    assert confirm.status_code == 200 and "hanne" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=hanne).exists()  # a GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url).status_code == 302

    assert not TOTPDevice.objects.filter(user=hanne).exists()
    assert not StaticDevice.objects.filter(user=hanne).exists()
    event = AuditEvent.objects.get(actor=anna, object_id=str(hanne.pk))
    assert event.action == "update" and event.changes == {"two_factor_devices": [2, 0]}
    # Her session ended on the server; at the next login she sets up an app again.
    assert not UserSession.objects.filter(user=hanne).exists()
    assert hanne_client.get(reverse("referrals:list"))["Location"].startswith("/accounts/login/")
    fresh = password_only(hanne)
    assert fresh.get(VERIFY)["Location"].startswith(reverse("two_factor_enrol"))
    # The administrator's own session goes on.
    assert admin.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_only_an_administrator_resets_and_not_their_own(login, anna, tove, hanne):
    app_device_for(hanne)
    url = reverse("admin:auth_user_reset_two_factor", args=[hanne.pk])
    assert login(tove).post(url)["Location"].startswith("/admin/login/")
    own = reverse("admin:auth_user_reset_two_factor", args=[anna.pk])
    assert login(anna).post(own).status_code == 403
    assert TOTPDevice.objects.filter(user__in=[hanne, anna]).count() == 2


def _sessions_of(user: User) -> set[str]:
    return set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))


@pytest.mark.parametrize("change", ["deactivate", "new password"])
def test_deactivation_and_a_new_password_end_every_session_of_the_user(
    login, hanne, karin, change, django_capture_on_commit_callbacks
):
    phone, desk, colleague = login(hanne), login(hanne), login(karin)
    keys = _sessions_of(hanne)
    assert len(keys) == 2 and Session.objects.filter(session_key__in=keys).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        if change == "deactivate":
            hanne.is_active = False
        else:
            hanne.set_password("another long passphrase 2026")
        hanne.save()

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not _sessions_of(hanne)
    for client in (phone, desk):
        assert client.get(reverse("referrals:list"))["Location"].startswith("/accounts/login/")
    assert colleague.get(reverse("cases:mine")).status_code == 200


def test_saving_a_user_without_a_credential_change_keeps_their_sessions(
    login, hanne, django_capture_on_commit_callbacks
):
    client = login(hanne)
    with django_capture_on_commit_callbacks(execute=True):
        hanne.first_name = "Hanne-Marie"
        hanne.save()
    assert client.get(reverse("referrals:list")).status_code == 200


def _admin_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
        "groups": list(user.groups.values_list("pk", flat=True)),
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_cannot_raise_their_own_privileges(login, anna):
    client = login(anna)
    own_page = client.get(reverse("admin:auth_user_change", args=[anna.pk]))
    assert own_page.status_code == 200
    assert 'name="groups"' not in own_page.content.decode()  # shown, not editable
    supervisor = Group.objects.get(name="supervisor")
    response = client.post(
        reverse("admin:auth_user_change", args=[anna.pk]),
        _admin_form(
            anna,
            groups=[supervisor.pk],
            is_superuser="on",
            user_permissions=["1"],
            first_name="Anna B.",
        ),
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.first_name == "Anna B."  # the rest of the form was saved
    assert list(anna.groups.values_list("name", flat=True)) == ["administrator"]
    assert not anna.is_superuser and not anna.user_permissions.exists()
    assert not AuditEvent.objects.filter(object_id=str(anna.pk), changes__has_key="groups")


def test_group_changes_are_audited_and_no_administrator_makes_a_superuser(login, anna, hanne):
    client = login(anna)
    supervisor = Group.objects.get(name="supervisor")
    response = client.post(
        reverse("admin:auth_user_change", args=[hanne.pk]),
        _admin_form(hanne, groups=[supervisor.pk], is_superuser="on"),
    )
    assert response.status_code == 302
    hanne.refresh_from_db()
    assert list(hanne.groups.values_list("name", flat=True)) == ["supervisor"]
    assert not hanne.is_superuser
    event = AuditEvent.objects.get(actor=anna, object_id=str(hanne.pk))
    assert event.changes == {"groups": [["hotline"], ["supervisor"]]}


def test_the_login_lockout_still_comes_before_the_second_factor(hanne, settings):
    app_device_for(hanne)
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "hanne", "password": "wrong password!"})
    locked = client.post(reverse("login"), {"username": "hanne", "password": PASSWORD})
    assert locked.status_code == 429
    assert client.get(reverse("referrals:list"))["Location"].startswith("/accounts/login/")


def test_the_login_form_has_the_design_systems_fields_and_keeps_the_username(hanne):
    client = Client()
    page = client.get(reverse("login")).content.decode()
    for name in ("username", "password"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group()
        assert 'class="form-input"' in tag, tag
    failed = client.post(reverse("login"), {"username": "hanne", "password": "wrong password!"})
    assert failed.status_code == 200
    assert 'value="hanne"' in failed.content.decode()
