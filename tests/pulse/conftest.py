"""Pulse fixtures: wave emails are sent at once (helpers: `support.py`)."""

from __future__ import annotations

import pytest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks_at_once(settings) -> None:
    settings.TASKS = IMMEDIATE
