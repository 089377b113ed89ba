from __future__ import annotations

from pathlib import Path

import pytest

TESTDATA = Path(__file__).resolve().parents[4] / "shared" / "testdata"


def testdata(relative: str) -> Path:
    path = TESTDATA / relative
    if not path.exists():
        pytest.skip(f"shared test data not here: {relative}")
    return path
