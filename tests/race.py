"""Running actions at the same moment in separate threads and database connections."""

import threading

import pytest
from django.db import connection, connections

from cmm.core.exceptions import Conflict

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (make test runs it)"
)


def race(*actions):
    """Run each action in its own thread and database connection, started together."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            action()
            outcomes[i] = "done"
        except Conflict:
            outcomes[i] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes
