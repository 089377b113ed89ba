"""The sessions signed in through an organisation's provider, and their end when the provider
says so (OpenID Connect back-channel logout): found by the provider's session id (`sid`) or,
without one, by the person's subject; every one of them in that organisation ends."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from voxloop.identity.models import SsoSession
from voxloop.identity.provisioning import system_scope
from voxloop.tenancy.services import record_audit


def remember(*, session: Any, organization_id: int, user_id: int, subject: str, sid: str) -> None:
    """Note a freshly signed-in session (after login, which gave it a new key)."""
    if session.session_key is None:
        session.save()
    SsoSession.objects.filter(
        created_at__lt=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    ).delete()
    SsoSession.objects.create(
        organization_id=organization_id,
        user_id=user_id,
        session_key=session.session_key,
        subject=subject[:255],
        sid=sid[:255],
    )


def end(*, organization_id: int, subject: str = "", sid: str = "") -> int:
    """End the organisation's sessions of this provider session (sid) or of this person
    (subject); how many there were."""
    rows = SsoSession.objects.filter(organization_id=organization_id)
    if sid:
        rows = rows.filter(sid=sid)
    if subject:
        rows = rows.filter(subject=subject)
    if not (sid or subject):
        return 0
    found = list(rows)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        for row in found:
            store(session_key=row.session_key).delete()
        SsoSession.objects.filter(pk__in=[r.pk for r in found]).delete()
        if found:
            record_audit(
                actor=system_scope(organization_id=organization_id, label="sso"),
                action="identity.backchannel_logout",
                target=found[0].user if len({r.user_id for r in found}) == 1 else None,
                changes={"sessions": [len(found), 0], "sid": [sid, ""], "subject": [subject, ""]},
                organization_id=organization_id,
            )
    return len(found)
