"""Who is calling the API: a personal token (`Authorization: Bearer vxl_…`) or a session."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from ninja.security import APIKeyCookie, HttpBearer

from voxloop.accounts.services import authenticate_token, own_copy
from voxloop.tenancy.scoping import Scope, ScopedRequest


class BearerToken(HttpBearer):
    def authenticate(self, request: ScopedRequest, token: str):
        held = authenticate_token(secret=token)
        if held is None:
            return None
        # The scope is all most calls need; the objects are copied only if a handler uses them.
        request.scope = Scope.of(held.membership)
        api_token = SimpleLazyObject(lambda: own_copy(token=held))
        request.api_token = api_token
        request.user = SimpleLazyObject(lambda: api_token.user)
        request.membership = SimpleLazyObject(lambda: api_token.membership)
        return True  # Ninja's request.auth; handlers use request.scope


class SessionWithCsrf(APIKeyCookie):
    """The browser's session; unsafe methods need the CSRF token like any form."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest):
        # No signed-in session, nothing to forge: a wrong bearer token must answer 401, not a
        # misleading CSRF failure.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api_auth = [BearerToken(), SessionWithCsrf()]
