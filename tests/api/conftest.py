"""The fixtures of this directory; they and its helpers live in `support.py`, which test
modules import (never a conftest)."""

from tests.api.support import (  # noqa: F401 - fixtures
    api_world,
)
