"""Stopping and starting the test PostgreSQL and Redis (bin/with-test-services), and
calling the application the way a real WSGI server does."""

import io
import os
import re
import subprocess
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.core.wsgi import get_wsgi_application

services_only = pytest.mark.skipif(
    not os.environ.get("PG_CTL") or not os.environ.get("REDIS_PORT"),
    reason="needs the servers bin/with-test-services starts (make test)",
)


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _as_cluster_owner(*command: str) -> list[str]:
    # with-test-services gives the cluster to the postgres user when it runs as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else list(command)


def restart_postgresql() -> None:
    """pg_ctl restart: every connection is dropped, then the server accepts new ones."""
    log = os.path.join(os.environ["TEST_SERVICES_DIR"], "pg.log")
    subprocess.run(
        _as_cluster_owner(
            os.environ["PG_CTL"],
            "-D",
            os.environ["PGDATA_DIR"],
            "-l",
            log,
            "-m",
            "fast",
            "-w",
            "restart",
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )


def redis(*args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-p", os.environ["REDIS_PORT"], *args],
        check=False,
        capture_output=True,
        text=True,
    ).stdout.strip()


def stop_redis() -> None:
    redis("shutdown", "nosave")
    wait_for(lambda: redis("ping") != "PONG")


def start_redis() -> None:
    root = os.environ["TEST_SERVICES_DIR"]
    subprocess.run(
        [
            "redis-server",
            "--port",
            os.environ["REDIS_PORT"],
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            root,
            "--daemonize",
            "yes",
            "--pidfile",
            f"{root}/redis.pid",
            "--logfile",
            f"{root}/redis.log",
        ],
        check=True,
    )
    wait_for(lambda: redis("ping") == "PONG")


class Browser:
    """Requests through the real WSGI handler, as gunicorn would send them: unlike the test
    client, it opens and closes database connections at the start and end of each request
    (close_old_connections), which is what recovery after a restart depends on. It reuses a
    test client's login (the `login` fixture) and sends the CSRF token like a browser."""

    def __init__(self, logged_in_client) -> None:
        self.app = get_wsgi_application()
        self.cookies = {
            name: morsel.value for name, morsel in logged_in_client.cookies.items() if morsel.value
        }
        self.csrf_token = ""

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urlencode({**(data or {}), "csrfmiddlewaretoken": self.csrf_token}).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "443",
            "HTTP_HOST": "testserver",
            "HTTP_ORIGIN": "https://testserver",
            "HTTP_REFERER": f"https://testserver{path}",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body) if method == "POST" else 0),
            "wsgi.input": io.BytesIO(body if method == "POST" else b""),
            "wsgi.errors": io.StringIO(),
            "wsgi.url_scheme": "https",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"] = int(status.split()[0])
            started["headers"] = headers

        response = self.app(environ, start_response)
        try:
            text = b"".join(response).decode()
        finally:
            response.close()  # request_finished: the handler releases the connection
        for name, value in started["headers"]:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.value
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if token:
            self.csrf_token = token.group(1)
        return started["status"], text

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self.request("POST", path, data)
