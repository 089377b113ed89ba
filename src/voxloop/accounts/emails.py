"""The one "set your password" email, used for password resets and for invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

TEMPLATE_DIR = "accounts/email"


def set_password_link(user: User) -> str:
    """An absolute link to choose a new password; valid for PASSWORD_RESET_TIMEOUT and only
    until the password (or last login) changes, as Django's token generator guarantees."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.BASE_URL.rstrip("/") + path


def password_email(user: User, purpose: str, language: str) -> EmailMultiAlternatives:
    """The email inviting a user to set a password, text and HTML, in the given language."""
    with translation.override(language):
        context = {
            "user": user,
            "purpose": purpose,
            "link": set_password_link(user),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            "base_url": settings.BASE_URL,
        }
        subject = render_to_string(f"{TEMPLATE_DIR}/set_password_subject.txt", context)
        text = render_to_string(f"{TEMPLATE_DIR}/set_password.txt", context)
        html = render_to_string(f"{TEMPLATE_DIR}/set_password.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    return message
