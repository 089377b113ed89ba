"""Template context every page of the shell needs."""

from django.conf import settings


def shell(request) -> dict:
    return {
        "scope": getattr(request, "scope", None),
        "active_membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "languages": settings.LANGUAGES,
    }
