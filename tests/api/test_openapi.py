"""The API describes itself, and its docs page works offline."""

from __future__ import annotations

import re

from django.test import Client

from tests.api.test_permission_matrix import api_operations


def test_openapi_lists_every_operation(db):
    schema = Client().get("/api/v1/openapi.json").json()
    listed = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }
    assert len(listed) == len(api_operations())
    for expected in (
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/org-units"),
        ("POST", "/api/v1/org-units/{unit_id}/move"),
        ("DELETE", "/api/v1/tokens/{token_id}"),
        ("GET", "/api/v1/audit-log"),
    ):
        assert expected in listed
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_docs_page_loads_and_references_no_cdn(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger" in page.lower()
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", page)
    assert external == [], "the docs page must not load assets from another host"
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))""", page)
    assert any("swagger-ui" in asset for asset in assets)
    for asset in assets:
        assert Client().get(asset).status_code == 200, asset


def test_no_two_schemas_share_a_name_in_the_document():
    """Ninja names a component by its class name: two apps' `PolicyIn` became one, and the
    outreach policy was documented with the privacy policy's fields."""
    import importlib
    import pkgutil

    from ninja import Schema

    import voxloop
    from voxloop.api.api import api

    for module in pkgutil.walk_packages(voxloop.__path__, "voxloop."):
        if module.name.endswith((".schemas", ".api")):
            importlib.import_module(module.name)
    components = set(api.get_openapi_schema()["components"]["schemas"])
    owners: dict[str, set[str]] = {}

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("voxloop.") and sub.__name__ in components:
                owners.setdefault(sub.__name__, set()).add(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    walk(Schema)
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}
