"""Shared by the benchmark's scripts: Django set up against bin/bench's database (with the
bench's urlconf: the production routes and the framework floor's empty page), the synthetic
staff, and a client logged in with both factors through the real pages."""

import math
import os
import statistics
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmm.settings")
django.setup()

from django.conf import settings  # noqa: E402

# cmm.urls and one bench-only route, the framework floor (bench/urls.py); the production
# urlconf never has it. Set before any request resolves a URL.
settings.ROOT_URLCONF = "bench.urls"

from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp.oath import totp  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

# Where bin/bench keeps its cluster and the run's intermediate results.
RUN_DIR = Path(os.environ.get("BENCH_ROOT", ROOT / "var" / "bench"))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
# Timed requests per page (after the warm-up ones).
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARM_UP = 5

HOTLINE = "bench-hotline-01"
SUPERVISOR = "bench-supervisor-01"
# The contact person with the most cases (generate.BUSY_SHARE of them).
BUSY_CONTACT = "bench-contact-001"
STATISTICS = "bench-statistics"


def user(username: str) -> User:
    return User.objects.get(username=username)


def login(person: User) -> Client:
    """A client past the password step and the second factor, as a person would be: the
    code comes from the user's authenticator app (a TOTP device set up here)."""
    client = Client()
    client.force_login(person)
    device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=person, name="authenticator app", confirmed=True)
    # A code from a time step already used is refused (rightly); several logins of one
    # user within 30 seconds need the step forgotten first.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(reverse("two_factor_verify"), {"code": f"{code:0{device.digits}d}"})
    if response.status_code != 302 or client.session.get("otp_device_id") != device.persistent_id:
        raise RuntimeError(f"the second factor of {person.username} was refused")
    return client


def long_history_case_id() -> int:
    """The course generate.py gave a long history (the most journal notes)."""
    from django.db.models import Count

    from cases.models import Note

    row = Note.objects.values("case_id").annotate(n=Count("id")).order_by("-n", "case_id").first()
    return row["case_id"]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def spread(seconds: list[float], cpu: list[float] | None = None) -> dict:
    ms = [s * 1000 for s in seconds]
    result = {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 95), 2),
    }
    if cpu:
        # This process's CPU time per request (PostgreSQL's is not in it): on a shared
        # machine it moves much less with the other jobs than the wall-clock time does.
        result["cpu_p50_ms"] = round(statistics.median(c * 1000 for c in cpu), 2)
    return result
