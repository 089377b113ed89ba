"""The demo tests reuse the in-process `voxloop` runner of the CLI tests."""

from tests.cli.support import voxloop  # noqa: F401 - fixture
