"""One test per page or operation in the permission matrices, trying every actor inside it.

A pytest case per page × actor spent most of its time in per-case set-up and tear-down
(fixtures, a savepoint, settings), not in the request it checked. `check_each` runs each
check of a row in its own rolled-back savepoint instead, so no check changes what the next
one sees, and reports every check that went wrong together, each named (page × actor)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from django.core.cache import cache
from django.db import transaction

from tests.matrix_actors import api_as, browser_as, expect
from voxloop.recent import forget_everything


class _Undo(Exception):
    """Leaves the savepoint of one check, rolling it back."""


def check_each(checks: Iterable[tuple[str, Callable[[], object]]]) -> None:
    """Run each `(label, check)` rolled back; fail once, naming every check that failed."""
    failures = []
    for label, check in checks:
        try:
            with transaction.atomic():
                check()
                raise _Undo
        except _Undo:
            pass
        except AssertionError as error:
            failures.append(f"{label}: {_one_line(error)}")
        except Exception as error:  # a crash is one more failure to report
            failures.append(f"{label}: raised {_one_line(repr(error))}")
        finally:
            # As between tests: nothing read or throttled inside the check is kept.
            forget_everything()
            cache.clear()
    assert not failures, f"{len(failures)} wrong:\n" + "\n".join(failures)


def _one_line(error: object) -> str:
    """The message's start on one line (the assertion's own explanation follows it)."""
    return " ".join(str(error).split())[:400]


# Tried in every row whatever they expect: another tenant, a sibling unit, no membership, nobody.
ALWAYS_TRIED = {"other_admin", "sibling_store", "loner", "anonymous"}
ROLE_OF = {
    "admin": "admin",
    "country_admin": "admin",
    "regional": "manager",
    "store": "manager",
    "agent": "agent",
    "viewer": "viewer",
    "analyst": "analyst",
    "director": "analyst",
}


def representatives(actors: Iterable[str], row: dict[str, object]) -> list[str]:
    """The actors of `actors` worth trying on one operation, whose expectations are `row`.

    An actor with the role and the expected answer of one already kept repeats the same check
    (regional after store when both managers are let in, director after analyst when both
    are refused), so is left out; when the answers differ (a store below a region's campaign
    finds nothing) both are kept. Every role is still tried, and the actors of ALWAYS_TRIED
    (and any actor of no role, such as a wrong token) always are."""
    kept, seen = [], set()
    for actor in actors:
        key = (ROLE_OF.get(actor, actor), row[actor])
        if actor in ALWAYS_TRIED or actor not in ROLE_OF or key not in seen:
            kept.append(actor)
            seen.add(key)
    return kept


def operations_of(*routers) -> set[str]:
    """The names ("api:<url name>") of every operation the routers serve, for the tests that
    check a matrix leaves none out."""
    return {
        f"api:{operation.url_name}"
        for router in routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }


def filled_ids(data: dict | None, made: dict) -> dict | None:
    """A form or body whose "{name}" values are the ids of what the module made."""
    if data is None:
        return None
    return {
        k: (int(v.format(**made)) if isinstance(v, str) and v.startswith("{") else v)
        for k, v in data.items()
    }


def check_api(world, name: str, actors, row: dict, *, method: str, path: str, body=None) -> None:
    """Every representative actor calls one API operation; `row` says what each must get."""

    def check(actor: str) -> None:
        expect(api_as(world, actor).call(method, path, body), row[actor], name, actor)

    checks = representatives(actors, row)
    check_each((f"{name} × {actor}", partial(check, actor)) for actor in checks)


def check_page(world, name: str, actors, row: dict, *, method: str, path: str, data=None) -> None:
    """Every representative actor opens (GET) or posts to one page; `row` says what each must
    get (a status, or "login" for a redirect to sign in)."""

    def check(actor: str) -> None:
        client = browser_as(world, actor)
        answer = client.post(path, data) if method == "POST" else client.get(path)
        expect(answer, row[actor], name, actor)

    checks = representatives(actors, row)
    check_each((f"{name} × {actor}", partial(check, actor)) for actor in checks)
