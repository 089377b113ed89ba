"""The fixtures of this directory; they and its helpers live in `support.py`, which test
modules import (never a conftest)."""

from tests.privacy.support import (  # noqa: F401 - fixtures
    made,
    world,
)
