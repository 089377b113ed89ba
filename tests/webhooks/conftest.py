"""The fixtures of this directory; they and its helpers live in `support.py`, which test
modules import (never a conftest)."""

from tests.webhooks.support import (  # noqa: F401 - fixtures
    _local_receivers_and_no_worker,
    receiver,
    survey,
)
