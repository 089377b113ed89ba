"""The architecture in docs/architecture.md, checked on every run.

1. An app reaches another app only through its public surface: `services` (writes),
   `selectors` (scoped reads), `signals`, `models` (as types and foreign-key targets) and
   `schemas`; the shells (`api`, `web`, `config`) may also wire apps' `api`, `views` and `urls`.
2. No app runs queries on another app's models (`OtherModel.objects`).
3. The domain layer (apps without their HTTP, admin and wiring modules) has no import cycle
   between apps, and never imports the shells.

What broke these rules on the day the test was written is listed in
`tests/architecture_exceptions.txt`. The list may only shrink: a new violation fails, and so
does an entry that no longer happens (delete the line).
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "voxloop"
EXCEPTIONS = Path(__file__).with_name("architecture_exceptions.txt")

# Shared modules that every app may use: they hold no tables and import no app.
KERNEL = {
    "errors",
    "rows",
    "params",
    "counters",
    "outbound",
    "recent",
    "spreadsheets",
    "uploads",
    "shared_generation",
    "clients",
}
SHELLS = {"api", "web", "config", "cli", "demo"}
PUBLIC = {"services", "selectors", "signals", "models", "schemas", "__init__"}
# `analytics.hooks` is where other apps plug into the dashboards and `analytics.metrics` the
# statistics every figure follows; `tenancy.scoping.Scope` is the one access object every app
# is handed, `tenancy.admin` the scoped admin every app's admin builds on, `schedule.registry`
# where periodic work is declared and `privacy.redaction` the one masking of personal data in
# text; the web and API shells offer the helpers app views and handlers are written with.
ALSO_PUBLIC = {
    ("analytics", "hooks"),  # where other apps' figures plug into the dashboards
    ("analytics", "metrics"),  # the statistics rules: pure arithmetic on counts, no tables
    # The anonymity blocks of decision 0016: a pure function of counts over a unit tree, which
    # every app that shows employee answers (pulse, 360) applies alike.
    ("analytics", "blocking"),
    ("tenancy", "scoping"),
    ("tenancy", "admin"),
    ("schedule", "registry"),
    ("schedule", "clock"),  # the thread a worker process starts to run the schedule
    ("privacy", "redaction"),
    # The respondent pages as other apps host them (the widget's frame, outreach's public
    # endpoints): `surveys.respondent` stays private behind it.
    ("surveys", "hosting"),
    # The survey definition format (answer checks, conditions, localised and piped texts) and
    # the labels of answers: pure functions of a survey's questions, no tables, read by every
    # app that shows, scores or sends a survey.
    ("surveys", "definition"),
    ("surveys", "labels"),
    # The anonymity rule of employee surveys (decision 0016): how a person's key for a month is
    # made, which the respondent pages and the reminders must compute exactly alike.
    ("responses", "anonymity"),
    # The phone-number format (E.164) every app that takes a number applies alike.
    ("contacts", "phones"),
    ("api", "context"),
    ("api", "pages"),
    ("api", "schemas"),
    ("api", "auth"),
    ("web", "access"),
    ("web", "forms"),
    ("web", "paging"),
    ("web", "confirm"),
    ("web", "conditions"),
    ("web", "views"),
}
# The middleware is wiring too: settings list it and the web shell reads its session key.
# Apps whose writes outgrew one `services.py` keep the rest in service modules named here: they
# are public like `services` and held to the same rules (keyword-only, typed; see below).
SERVICE_MODULES = {
    ("closedloop", "casework"),  # every write about a case
    ("closedloop", "plans"),  # action plans and their tasks
    ("closedloop", "evaluation"),  # applying the alert rules to a response, praise
    ("contacts", "importing"),  # contact and account files
    ("contacts", "interactions"),  # interaction events, from files and the API
    ("contacts", "lifecycle"),  # customer status history
    ("privacy", "erasure"),  # erasing and exporting one person
    ("privacy", "retention"),  # the retention run
    ("responses", "forgetting"),  # expiring old responses and texts
    ("responses", "kiosks"),  # capture devices
    ("textanalytics", "analysis"),  # analysing comments, backfills
}
WIRING = {"api", "views", "urls", "middleware"}
# Modules that face HTTP, the admin or other apps' signals: they may form cycles between apps.
EDGE_MODULES = {"api", "views", "urls", "admin", "receivers", "forms", "apps", "tasks"}


def _app_and_rest(module: str) -> tuple[str, str]:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "__init__"


def _is_edge(module: str) -> bool:
    return any(
        part in EDGE_MODULES or part.endswith("_views") or part == "templatetags"
        for part in module.split(".")[2:]
    )


def _edge_modules(graph: grimp.ImportGraph) -> set[str]:
    """The named edge modules, and every module only they or the HTTP shells import.

    A module that only pages import (the builder's page parts, the condition editor's field
    lists, a confirmation's figures) is part of the pages, whatever its name: it may use the web
    helpers, and a cycle through it is a cycle between pages.
    """
    edges = {module for module in graph.modules if _is_edge(module)}
    http = {"api", "web", "config"}
    while True:
        more = set()
        for module in graph.modules - edges:
            app, _ = _app_and_rest(module)
            if not app or app in SHELLS or app in KERNEL:
                continue
            importers = graph.find_modules_that_directly_import(module)
            if importers and all(i in edges or _app_and_rest(i)[0] in http for i in importers):
                more.add(module)
        if not more:
            return edges
        edges |= more


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("voxloop")


def _cross_app_imports(graph: grimp.ImportGraph):
    for importer in sorted(graph.modules):
        app, _ = _app_and_rest(importer)
        if not app:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            other, first = _app_and_rest(imported)
            if other and other != app:
                yield importer, imported, app, other, first


def _surface_violations(graph: grimp.ImportGraph) -> set[str]:
    found = set()
    for importer, imported, app, other, first in _cross_app_imports(graph):
        if other in KERNEL or first in PUBLIC or (other, first) in ALSO_PUBLIC | SERVICE_MODULES:
            continue
        if app in {"api", "web", "config"} and first in WIRING:
            continue
        if app == "config" and other in SHELLS:  # settings and URLs wire the shells
            continue
        if app == "cli" and other in SHELLS:  # commands start the demo and the web server
            continue
        if app == "demo" and first == "demo":  # each app seeds its sample data in its demo.py
            continue
        found.add(f"import {importer} -> {imported}")
    return found


def _foreign_model_names(tree: ast.AST, own_app: str) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            foreign = len(parts) >= 3 and parts[1] != own_app and parts[2] == "models"
            if parts[0] == "voxloop" and foreign:
                names.update(alias.asname or alias.name for alias in node.names)
    return names


def _foreign_queries() -> set[str]:
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(("voxloop", *path.relative_to(SRC).with_suffix("").parts))
        app, _ = _app_and_rest(module)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        foreign = _foreign_model_names(tree, app)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"objects", "_default_manager"}
                and isinstance(node.value, ast.Name)
                and node.value.id in foreign
            ):
                found.add(f"query {module}: {node.value.id}.{node.attr}")
    return found


def _domain_cycles(graph: grimp.ImportGraph) -> set[str]:
    """Import cycles between modules of different apps, among domain modules only."""
    edges = _edge_modules(graph)
    domain = {
        module
        for module in graph.modules
        if _app_and_rest(module)[0] not in SHELLS | KERNEL | {""} and module not in edges
    }
    found = set()
    for component in _strongly_connected(
        {m: graph.find_modules_directly_imported_by(m) & domain for m in domain}
    ):
        apps = sorted({_app_and_rest(module)[0] for module in component})
        if len(apps) > 1:
            found.add(f"cycle {', '.join(apps)}: {', '.join(sorted(component))}")
    return found


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    # Modules that reach each other both ways form one component (quadratic, but the domain
    # has a few hundred modules).
    reach = {module: _reachable(edges, module) for module in edges}
    components, placed = [], set()
    for module in sorted(edges):
        if module not in placed:
            component = {module} | {m for m in reach[module] if module in reach[m]}
            placed |= component
            components.append(component)
    return components


def _shell_imports_from_domain(graph: grimp.ImportGraph) -> set[str]:
    found, edges = set(), _edge_modules(graph)
    for importer, imported, app, other, first in _cross_app_imports(graph):
        if app in SHELLS or importer in edges or other not in SHELLS:
            continue
        if (other, first) in ALSO_PUBLIC and other == "api" and first == "schemas":
            continue
        found.add(f"shell {importer} -> {imported}")
    return found


def _listed() -> set[str]:
    lines = EXCEPTIONS.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_the_architecture_holds_apart_from_the_listed_exceptions(graph):
    found = (
        _surface_violations(graph)
        | _foreign_queries()
        | _domain_cycles(graph)
        | _shell_imports_from_domain(graph)
    )
    listed = _listed()
    new = "\n".join(sorted(found - listed))
    gone = "\n".join(sorted(listed - found))
    assert not new, f"new breaks of docs/architecture.md (use services/selectors):\n{new}"
    assert not gone, f"fixed, so delete these lines from the exceptions list:\n{gone}"


def test_the_checks_see_a_break_when_there_is_one(graph, tmp_path):
    # A made-up module querying another app's model must be seen by the AST check.
    tree = ast.parse(
        "from voxloop.surveys.models import Survey\nSurvey.objects.filter(pk=1)\n",
    )
    assert _foreign_model_names(tree, "closedloop") == {"Survey"}
    assert _foreign_model_names(tree, "surveys") == set()
    components = _strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}})
    assert sorted(map(sorted, components)) == [["a", "b"], ["c"]]
    assert _is_edge("voxloop.distribution.onsite.kiosk_views")
    assert _is_edge("voxloop.distribution.widget.views")
    assert not _is_edge("voxloop.distribution.services")


def _conftest_imports() -> set[str]:
    found = set()
    for path in sorted(SRC.parents[1].joinpath("tests").rglob("*.py")):
        if path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any(name.split(".")[-1] == "conftest" for name in names):
                found.add(str(path.relative_to(SRC.parents[1])))
    return found


def test_no_module_imports_from_a_conftest():
    # A conftest only registers fixtures; helpers live in importable modules (`support.py`,
    # `builders.py`), so a test never depends on which conftest pytest loaded first.
    assert not _conftest_imports(), "import helpers from a support module, not a conftest"


def _service_functions():
    paths = set(SRC.rglob("services.py")) | {
        SRC / app / f"{name}.py" for app, name in SERVICE_MODULES
    }
    for path in sorted(paths):
        module = ".".join(("voxloop", *path.relative_to(SRC).with_suffix("").parts))
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name[0] != "_":
                yield module, node


def test_services_take_keyword_arguments_only_and_are_typed():
    # `open_case(*, scope, response, ...)`: a call reads the same in every view, task and test,
    # and adding or reordering a parameter cannot silently shift the others.
    positional, untyped = [], []
    for module, node in _service_functions():
        args = node.args
        if args.posonlyargs or args.args or args.vararg:
            positional.append(f"{module}.{node.name}")
        every = [*args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))]
        if node.returns is None or any(arg.annotation is None for arg in every):
            untyped.append(f"{module}.{node.name}")
    assert not positional, "make these keyword-only (`def f(*, ...)`):\n" + "\n".join(positional)
    assert not untyped, "annotate every parameter and the return of:\n" + "\n".join(untyped)
