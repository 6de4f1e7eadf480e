"""Stopping and starting the PostgreSQL and Redis that bin/with-test-services runs for the
tests (outage tests: the reminder digest, tests/reliability)."""

import os
import subprocess
import time

import pytest

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
