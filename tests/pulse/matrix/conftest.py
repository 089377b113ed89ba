"""The matrix builds its world once per module and rolls each request back to it."""

from tests.privacy.support import made, world  # noqa: F401 - the module-world fixtures
