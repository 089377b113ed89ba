"""What a session remembers about how it was signed in (read by the middleware)."""

from __future__ import annotations

from typing import Any

ATTEMPT_KEY = "identity_attempt"
METHOD_KEY = "identity_method"  # "sso" or "password"
ORG_KEY = "identity_organization"  # the only organisation an SSO session may enter
SSO_LOGOUT_KEY = "identity_logout"
TWO_FACTOR_KEY = "identity_two_factor"  # True once this session passed its second factor


def mark_sso_session(session: Any, *, organization_id: int, hint: dict) -> None:
    session[METHOD_KEY] = "sso"
    session[ORG_KEY] = organization_id
    session[SSO_LOGOUT_KEY] = hint
