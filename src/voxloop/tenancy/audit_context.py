"""Where the current request came from, so audit entries can say it without threading it
through every service call."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("voxloop_client_ip", default=None)
