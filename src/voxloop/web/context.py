"""Template context every page of the shell needs."""

from django.conf import settings
from django.http import HttpRequest

from voxloop.web.access import reads_records


def shell(request: HttpRequest) -> dict:
    return {
        "scope": getattr(request, "scope", None),
        # Links to pages of individual records are left out for the aggregate-only viewer.
        "reads_records": reads_records(request),
        "active_membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "languages": settings.LANGUAGES,
    }
