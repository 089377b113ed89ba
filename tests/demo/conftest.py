"""The package's one seeded demo (tests/demo/support.py)."""

from tests.demo.support import demo, shared_demo  # noqa: F401 - fixtures
