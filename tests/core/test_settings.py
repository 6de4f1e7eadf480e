import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "cmm.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_passes_with_the_production_variables_set():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="cmm.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_secret_key_and_debug_off_the_app_refuses_to_start():
    result = _manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_seed_demo_refuses_to_run_with_debug_off():
    result = _manage("seed_demo", DJANGO_SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "only runs with DJANGO_DEBUG on" in result.stderr


def test_no_template_loads_anything_from_outside():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path


def test_pages_are_danish_whatever_the_browser_asks_and_english_on_request(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Log ind" in page.content.decode()
    client.cookies.load({"django_language": "en"})
    assert "Log in" in client.get("/accounts/login/").content.decode()
