"""The OpenAPI schema is exact enough to generate a working client: `openapi-python-client`
(offline, from the schema the API serves) writes a Python package, and that package drives a
create → read → update → list → delete round trip against the live test server, reading
closed sets as the enums the schema lists. About 4 s: one generation for the module."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.factories import build_org
from voxloop.accounts import services as account_services
from voxloop.api.api import api

PACKAGE = "voxloop_api_client"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory) -> ModuleType:
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "openapi.json"
    schema.write_text(json.dumps(api.get_openapi_schema()))
    config = folder / "config.json"
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    tool = Path(sys.executable).with_name("openapi-python-client")
    arguments = ["--path", str(schema), "--meta", "none", "--config", str(config)]
    done = subprocess.run(
        [str(tool), "generate", *arguments, "--output-path", str(folder / PACKAGE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout  # every operation and schema understood
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.startswith(PACKAGE)]:
            del sys.modules[name]


def _operation(package: ModuleType, name: str) -> Any:
    """The generated module of an operation, by the end of its name (e.g. create_segment)."""
    api_package = importlib.import_module(f"{package.__name__}.api")
    for info in pkgutil.walk_packages(api_package.__path__, f"{api_package.__name__}."):
        if info.name.endswith(name):
            return importlib.import_module(info.name)
    raise AssertionError(f"no generated operation {name}")


def _model(package: ModuleType, name: str) -> Any:
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def test_a_generated_client_round_trips_a_segment(client_package, live_server, transactional_db):
    acme = build_org("acme", "A")
    secret = account_services.create_token(
        membership=acme.members["admin"], name="generated client"
    ).secret
    client = client_package.AuthenticatedClient(
        base_url=live_server.url, token=secret, raise_on_unexpected_status=True
    )
    segment_in = _model(client_package, "SegmentIn")
    created = _operation(client_package, "create_segment").sync_detailed(
        client=client, body=segment_in.from_dict({"name": "Locals", "filters": []})
    )
    assert created.status_code == 201
    segment_id = created.parsed.id
    read = _operation(client_package, "get_segment").sync(client=client, segment_id=segment_id)
    assert read.name == "Locals"
    patch = _model(client_package, "SegmentPatch").from_dict({"name": "Neighbours"})
    updated = _operation(client_package, "update_segment").sync(
        client=client, segment_id=segment_id, body=patch
    )
    assert updated.name == "Neighbours"
    listed = _operation(client_package, "list_segments").sync(client=client, limit=10)
    assert [s.id for s in listed] == [segment_id]
    deleted = _operation(client_package, "delete_segment").sync_detailed(
        client=client, segment_id=segment_id
    )
    assert deleted.status_code == 204
    gone = _operation(client_package, "get_segment").sync_detailed(
        client=client, segment_id=segment_id
    )
    assert gone.status_code == 404 and gone.parsed.error.code.value == "not_found"


def test_closed_sets_are_generated_as_enums(client_package):
    kinds = _model(client_package, "PlaybookOutKind")
    assert {k.value for k in kinds} == {
        "follow_up",
        "closing",
        "thank_you",
        "review",
        "review_reply",
    }
    codes = _model(client_package, "ErrorDetailCode")
    assert {"precondition_failed", "rate_limited", "idempotency_key_reused"} <= {
        c.value for c in codes
    }
