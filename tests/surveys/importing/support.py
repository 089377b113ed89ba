from __future__ import annotations

import os
from pathlib import Path

import pytest


def _root() -> Path:
    here = Path(__file__).resolve()
    for candidate in (
        os.environ.get("VOXLOOP_TESTDATA"),
        *(parent / "shared" / "testdata" for parent in here.parents),
        "/work/shared/testdata",
    ):
        if candidate and Path(candidate, "qualtrics-qsf").is_dir():
            return Path(candidate)
    return Path("/nonexistent")


TESTDATA = _root()


def shared_file(relative: str) -> Path:
    path = TESTDATA / relative
    if not path.exists():
        pytest.skip(f"shared test data not here: {relative}")
    return path
