"""Benchmark: what the shared access generation (Redis) adds to authenticating a bearer token.

Every API call authenticates its token. A process holds the tokens it read for
RECENT_SECONDS; with REDIS_URL set it also reads one counter in Redis before trusting a held
token, so that a revocation reaches every process at once (decision 0012). This times, in
one process and interleaved so both see the same machine state:
  - a held token without Redis (the baseline),
  - a held token checked against the Redis counter,
  - a token read from the database (what holding saves: a store that forgets every call),
and prints each mean in microseconds with its ratio to the baseline and to the database read.
SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database).

    REDIS_URL_FOR_TESTS=redis://127.0.0.1:6379/4 .venv/bin/python bench/token_auth.py [--calls 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import scratch_database, start_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/0")
    with scratch_database("vx_bench_token_auth") as env:
        start_django(env)
        from django.conf import settings
        from django.db import connection

        settings.RECENT_SECONDS = 3600  # nothing expires while we measure
        print(f"database: {connection.vendor}; redis: {url}; {args.calls} calls x {args.rounds}")
        run(url, args.calls, args.rounds)


def run(url: str, calls: int, rounds: int) -> None:
    from voxloop.accounts.recent_tokens import HeldTokens
    from voxloop.accounts.services import authenticate_token, create_token
    from voxloop.shared_generation import SharedGeneration
    from voxloop.tenancy import services
    from voxloop.tenancy.scoping import Scope

    root = services.create_organization(name="Bench", slug="bench")
    user = services_user()
    membership = services.grant_membership(
        actor=Scope.system(root), user=user, unit=root, role="manager"
    )
    secret = create_token(membership=membership, name="bench").secret
    key = f"vx-bench-{uuid.uuid4().hex[:8]}"
    stores = {
        "held, no Redis": HeldTokens(),
        "held, Redis generation": HeldTokens(shared=SharedGeneration(url, key)),
    }
    forgetting = HeldTokens()
    timings: dict[str, list[float]] = {name: [] for name in [*stores, "database read"]}
    for _ in range(rounds):
        for name, store in stores.items():
            timings[name].append(
                _mean(lambda s=store: authenticate_token(secret=secret, held=s), calls)
            )

        def miss() -> None:
            forgetting._recent._clear()
            authenticate_token(secret=secret, held=forgetting)

        timings["database read"].append(_mean(miss, calls // 5))
    SharedGeneration(url, key)._redis().delete(key)
    base = min(timings["held, no Redis"])
    database = min(timings["database read"])
    for name, values in timings.items():
        best = min(values)
        print(
            f"{name:24} {best:8.1f} µs   x{best / base:6.1f} of held   "
            f"{best / database:5.2f} of a database read"
        )


def services_user():
    from voxloop.accounts.services import create_user

    return create_user(username="bench-user", email="bench@example.test", check_password=False)


def _mean(call, n: int) -> float:
    began = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - began) / n * 1e6


if __name__ == "__main__":
    main()
