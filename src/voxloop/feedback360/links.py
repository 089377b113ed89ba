"""A customer rater's link: the invitation signed with the server's key (nothing stored, so
nothing staff can read opens it). It stops working when the cycle closes."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from voxloop.feedback360.models import Invitation

SALT = "voxloop.feedback360.rater"


def token_of(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=SALT, compress=True)


def invitation_of(token: str) -> Invitation | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    return (
        Invitation.objects.filter(pk=data["i"], contact_id__isnull=False)
        .select_related("subject", "subject__cycle")
        .first()
    )


def answer_url(invitation: Invitation) -> str:
    if invitation.contact_id:
        path = reverse("feedback360:public_answer", args=[token_of(invitation)])
    else:
        path = reverse("feedback360:answer", args=[invitation.pk])
    return settings.BASE_URL.rstrip("/") + path
