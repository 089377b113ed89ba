"""A password sign-in is marked as such: the middleware then applies "single sign-on
required" and two-factor to the session (single sign-on marks its own after login)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from voxloop.identity.session import METHOD_KEY, ORG_KEY, TWO_FACTOR_KEY


@receiver(user_logged_in)
def mark_password_session(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[METHOD_KEY] = "password"
    request.session.pop(ORG_KEY, None)
    request.session.pop(TWO_FACTOR_KEY, None)
