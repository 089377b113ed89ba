"""Registered kiosks: the capture devices allowed to post respondents' answers as their channel.

An admin registers a kiosk (or an IVR system) for a unit and gets its token once; the device
then posts to `POST /api/v1/responses` with `Authorization: Bearer vxk_…`. A kiosk's token
acts with no role: it stores answers for surveys visible at its unit, placed at its unit or
below, as its own channel, and can read nothing. A person's token can never claim the kiosk
or IVR channel, so those answers are known to come from a registered device.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from voxloop.errors import InvalidInput, NotFound
from voxloop.recent import Recent
from voxloop.responses.models import DEVICE_CHANNELS, Kiosk
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

TOKEN_PREFIX = "vxk_"  # noqa: S105 - a public marker, not a secret
ROLE = "kiosk"  # a scope role with no capability at all: it may store answers, nothing else

# Kiosks this process authenticated in the last few seconds, by token digest (decision 0011);
# emptied on any change to a kiosk or a unit in this process (responses.receivers).
recent_kiosks = Recent()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def visible_kiosks(*, actor: Scope) -> QuerySet[Kiosk]:
    actor.require(Capability.CONFIGURE)
    return actor.filter(Kiosk.objects.select_related("unit"), path_field="unit__path")


def kiosk(*, actor: Scope, kiosk_id: int) -> Kiosk:
    return actor.get(visible_kiosks(actor=actor), path_field="unit__path", pk=kiosk_id)


def register(*, actor: Scope, unit: OrgUnit, name: str, channel: str) -> tuple[Kiosk, str]:
    """A new kiosk at a unit of the admin's subtree, and its token (shown once)."""
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise NotFound("No unit with this code in your scope.", field="unit_code")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the kiosk a name of at most 100 characters.", field="name")
    if channel not in DEVICE_CHANNELS:
        choices = ", ".join(DEVICE_CHANNELS)
        raise InvalidInput(f"A kiosk posts as one of: {choices}.", field="channel")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        device = Kiosk.objects.create(
            organization_id=unit.organization_id,
            unit=unit,
            name=name,
            channel=channel,
            prefix=prefix,
            digest=_digest(secret),
            created_by_id=actor.user_id,
        )
        record_audit(
            actor=actor,
            action="kiosk.register",
            target=device,
            changes={"unit": unit.code, "channel": channel},
        )
    return device, secret


def revoke(*, actor: Scope, device: Kiosk) -> Kiosk:
    """The kiosk's token stops working at once in this process, within RECENT_SECONDS in
    the others."""
    actor.require(Capability.CONFIGURE)
    if device.revoked_at is not None:
        return device
    with transaction.atomic():
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action="kiosk.revoke", target=device)
    return device


def authenticate(*, secret: str) -> Kiosk | None:
    """The live kiosk behind a bearer secret (with its unit), or None; marks it used. The
    kiosk may be shared by every request presenting it: read it, never change it."""
    if not secret.startswith(TOKEN_PREFIX) or secret.count("_") < 2:
        return None
    digest = _digest(secret)
    held = recent_kiosks.recall(digest)
    if held is not None:
        return held
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    found = (
        Kiosk.objects.select_related("unit").filter(prefix=prefix, revoked_at__isnull=True).first()
    )
    if found is None or not hmac.compare_digest(found.digest, digest):
        return None
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        Kiosk.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    recent_kiosks.remember(digest, found)
    return found


def scope_of(*, device: Kiosk) -> Scope:
    """What a kiosk may reach: its unit's subtree, with no capability."""
    return Scope(
        organization_id=device.organization_id,
        unit_id=device.unit_id,
        unit_path=device.unit.path,
        role=ROLE,
        actor_label=f"kiosk:{device.name}"[:150],
    )
