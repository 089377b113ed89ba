"""Running the `voxloop` command in-process, capturing its stdout, stderr and exit code."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from voxloop.cli import run


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def voxloop(capsys):
    """Call as voxloop("init", "--username", ...) → Outcome."""

    def invoke(*argv: str) -> Outcome:
        capsys.readouterr()
        code = run(list(argv))
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke
