"""`--dist loadgroup` under pytest 9.2: pytest-xdist 3.8 tags a grouped test by rewriting
`item._nodeid`, which pytest 9.2 no longer reads (a node's id is `item._id`), so every
`xdist_group` mark was ignored and the demo package was seeded on both workers. This puts the
group back into the id the scheduler reads; it steps aside once xdist does it itself."""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodes import NodeId

    for item in items:
        mark = item.get_closest_marker("xdist_group")
        if mark is None or "@" in item.nodeid or not hasattr(item, "_id"):
            continue
        name = mark.args[0] if mark.args else mark.kwargs.get("name", "default")
        item._id = NodeId.parse(f"{item.nodeid}@{name}")
