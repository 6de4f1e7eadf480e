"""Where a page's time goes: cProfile over N requests of one page through the test client,
as bench/measure.py requests it (production settings, logged in with both factors).

Run against a kept benchmark database (BENCH_KEEP=1), with bin/bench's environment:

    BENCH_PROFILE="supervisor GET /cases/queues/unassigned/" BENCH_KEEP=1 bin/bench

(who: hotline, supervisor or contact; a POST's fields as name=value after the path.)

Prints the functions by cumulative and by own time.
"""

import cProfile
import os
import pstats
import sys

from common import BUSY_CONTACT, HOTLINE, SUPERVISOR, login, user

ROLES = {"hotline": HOTLINE, "supervisor": SUPERVISOR, "contact": BUSY_CONTACT}


def main(spec: str, requests: int = 50, lines: int = 45) -> None:
    who, method, path, *data = spec.split()
    client = login(user(ROLES[who]))
    payload = dict(item.split("=", 1) for item in data) or None

    def request():
        response = client.post(path, payload) if method == "POST" else client.get(path, payload)
        assert response.status_code == 200, response.status_code

    for _ in range(5):
        request()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        request()
    profile.disable()
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)


if __name__ == "__main__":
    main(os.environ.get("BENCH_PROFILE") or " ".join(sys.argv[1:]))
