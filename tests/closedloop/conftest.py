"""The fixtures of this directory; they and its helpers live in `support.py`, which test
modules import (never a conftest)."""

from tests.closedloop.support import (  # noqa: F401 - fixtures
    _local_webhook_receivers,
    detractor_rule,
    immediate_tasks,
    survey,
)
