"""Run the web server and the task worker as two children and keep them together.

Either child dying takes the other down and makes `voxloop serve` exit non-zero, so a process
manager (systemd, a container runtime) notices and restarts the pair as one service.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

import click

STOP_GRACE_SECONDS = 20.0


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None

    def start(self) -> None:
        # A process group of its own: Ctrl-C on the terminal reaches only the supervisor, which
        # then asks each child once to stop gracefully. A second signal from the terminal
        # would make the worker abandon its current task.
        self.process = subprocess.Popen(self.argv, preexec_fn=_die_with_parent, process_group=0)

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)


def _die_with_parent() -> None:
    """Linux: a child gets SIGTERM if `voxloop serve` itself is killed outright."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


@dataclass
class Supervisor:
    children: list[Child]
    stopping: bool = False
    received: list[int] = field(default_factory=list)

    def run(self) -> int:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in self.children:
                child.start()
            failed = self._watch()
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return 1 if failed else 0

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)
        if self.stopping:  # asked twice: the operator does not want to wait
            for child in self.children:
                child.signal(signal.SIGKILL)
        self.stopping = True

    def _watch(self) -> bool:
        """Wait until a signal arrives (clean stop) or a child exits on its own (failure)."""
        while not self.stopping:
            for child in self.children:
                code = child.process.poll() if child.process else None
                if code is not None:
                    click.echo(
                        f"voxloop: error: the {child.name} exited with code {code}; "
                        "stopping the other process",
                        err=True,
                    )
                    return True
            time.sleep(0.2)
        return False

    def _stop_all(self) -> None:
        # SIGTERM asks gunicorn for a graceful stop and the worker to finish its current task.
        for child in self.children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
