"""A trivial task so operators (and tests) can prove a worker is consuming the queue."""

import os

from django_tasks import task


@task()
def ping(note: str = "") -> int:
    """Answers with the worker's process id."""
    return os.getpid()
