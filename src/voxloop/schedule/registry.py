"""Periodic tasks, declared next to the task they run.

    @every(timedelta(minutes=5))
    @task()
    def escalate_overdue_cases() -> int: ...

The worker's clock (see `clock.py`) enqueues each one when due; apps register theirs simply by
being imported (their `tasks.py`, imported from `AppConfig.ready`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Periodic:
    name: str
    interval: timedelta
    task: object  # a django_tasks Task
    # What the task is enqueued through, when not as declared (the closed loop's sweep of
    # alerts goes through `closedloop.tasks.urgent`, resolved when enqueued, decision 0057).
    via: Callable[[object], object] | None = None

    def to_enqueue(self) -> object:
        return self.via(self.task) if self.via is not None else self.task


_registered: dict[str, Periodic] = {}


def every(
    interval: timedelta, name: str = "", via: Callable[[object], object] | None = None
) -> Callable[[T], T]:
    """Run the decorated task every `interval`, once across all workers; enqueued through
    `via` when given."""
    if interval <= timedelta(0):
        raise ValueError("A periodic task needs a positive interval.")

    def register(task_obj: T) -> T:
        key = name or f"{getattr(task_obj, 'module_path', '')}"
        _registered[key] = Periodic(key, interval, task_obj, via)
        return task_obj

    return register


def registered() -> list[Periodic]:
    return sorted(_registered.values(), key=lambda p: p.name)
