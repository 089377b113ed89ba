"""What every benchmark needs: a scratch database and Django started against it."""

from __future__ import annotations

import os
import statistics
import tempfile
from contextlib import contextmanager
from typing import Any


@contextmanager
def scratch_database(name: str, keep: bool = False):
    """Point DATABASE_URL (if any) at a fresh database of its own; yield the environment.
    BENCH_DATABASE names it instead of `name` (several people benchmarking on one server).
    `keep`: leave the PostgreSQL database in place afterwards (to measure more on it)."""
    name = os.environ.get("BENCH_DATABASE") or name
    home = tempfile.mkdtemp(prefix=f"{name}-")
    env = dict(os.environ, VOXLOOP_HOME=home)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{server}/{name}"
    try:
        yield env
    finally:
        if not keep:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_django(env: dict, tasks: str = "immediate") -> None:
    """Django on the scratch database; tasks run at once unless `tasks` names another mode
    (then they wait in the database queue and no worker runs them)."""
    os.environ.update(env)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxloop.config.settings")
    os.environ["VOXLOOP_TASKS"] = tasks
    import django

    django.setup()
    from voxloop.cli.base import prepare_database

    # The cache table too, as `voxloop init` makes it: without Redis the API's rate limits
    # count in it, and a server started with --no-migrate would answer 503 to every request.
    prepare_database()


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def published_visit_survey(system: Any, root: Any) -> Any:
    """The benchmarks' published "Visit" survey: a required NPS and a comment."""
    from voxloop.surveys import services as surveys

    survey = surveys.create_survey(actor=system, unit=root, name="Visit", kind="transactional")
    surveys.add_question(
        actor=system,
        survey=survey,
        key="nps",
        type="nps",
        texts={"title": {"en": "Recommend?"}},
        config=None,
        required=True,
    )
    surveys.add_question(
        actor=system,
        survey=survey,
        key="comment",
        type="long_text",
        texts={"title": {"en": "Why?"}},
    )
    surveys.publish(actor=system, survey=survey)
    return survey


def stores_with_managers(system: Any, root: Any, count: int) -> list[Any]:
    """`count` stores under the root (S000, S001…), each with a manager to alert."""
    from voxloop.accounts.services import create_user
    from voxloop.tenancy import services as tenancy

    stores = []
    for n in range(count):
        store = tenancy.create_unit(
            actor=system, parent=root, name=f"Store {n}", kind="store", code=f"S{n:03}"
        )
        manager = create_user(
            username=f"manager-{n}", email=f"manager-{n}@bench.test", password=None
        )
        tenancy.grant_membership(actor=system, user=manager, unit=store, role="manager")
        stores.append(store)
    return stores


def detractor_rule(system: Any, root: Any, survey: Any) -> Any:
    """The benches' alert rule: NPS 0-6 on this survey, to the unit's managers."""
    from voxloop.closedloop import services as closedloop

    return closedloop.create_rule(
        actor=system,
        unit=root,
        name="Detractor",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[{"type": "role", "role": "manager"}],
        survey_ids=[survey.pk],
    )


def send_without_fatigue_rules(organization: Any) -> None:
    """An outreach policy that holds nothing back: benches time sending, not waiting."""
    from voxloop.distribution.models import OutreachPolicy

    OutreachPolicy.objects.create(
        organization=organization,
        min_days_between=0,
        max_per_90_days=1000,
        quiet_start_hour=0,
        quiet_end_hour=0,
    )


def email_campaign(*, actor: Any, unit: Any, survey: Any) -> Any:
    """The benches' campaign: email, to everyone, with no throttle worth the name."""
    from voxloop.distribution import services

    return services.create_campaign(
        actor=actor,
        unit=unit,
        survey=survey,
        segment=None,
        name="Bench",
        channel="email",
        throttle_per_minute=10_000_000,
        sender_name="CEO",
        sender_email="ceo@bench.test",
    )
