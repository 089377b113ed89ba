"""Two-factor for password sign-ins: a TOTP authenticator (RFC 6238, pyotp) and ten one-use
recovery codes (stored as SHA-256 digests, shown once). A code is accepted once: the last
time step used is kept, so a code seen over a shoulder cannot be replayed in its window."""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
from django.db import transaction
from django.utils import timezone

from voxloop import counters, sealing
from voxloop.errors import Forbidden, InvalidInput
from voxloop.identity import rulecache
from voxloop.identity.models import RecoveryCode, TwoFactorDevice
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import record_audit

ISSUER = "Voxloop"
RECOVERY_CODES = 10
ATTEMPTS = 5  # wrong codes per account per 5 minutes
WINDOW = 300


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _secret(device: TwoFactorDevice) -> str:
    return sealing.unseal(device.sealed_secret).get("totp", "")


def start_enrolment(*, user: object) -> TwoFactorDevice:
    """A new, unconfirmed authenticator secret (replacing an unconfirmed one)."""
    user_id = user.pk  # type: ignore[attr-defined]  # any user model
    device = TwoFactorDevice.objects.filter(user_id=user_id).first()
    if device is not None and device.confirmed_at is not None:
        raise Forbidden("Two-factor is already on; turn it off first to enrol again.")
    secret = pyotp.random_base32()
    if device is None:
        device = TwoFactorDevice(user_id=user_id)
    device.sealed_secret = sealing.seal({"totp": secret})
    device.last_step = 0
    device.save()
    return device


def provisioning_uri(*, device: TwoFactorDevice, account: str) -> str:
    return pyotp.TOTP(_secret(device)).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(*, uri: str) -> str:
    """The enrolment QR code as inline SVG (segno; no image service, no CDN)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff"))


def manual_key(*, device: TwoFactorDevice) -> str:
    secret = _secret(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _check_totp(device: TwoFactorDevice, code: str, now: float | None = None) -> bool:
    """True when the code is right for now, a step before or after (clock drift), and newer
    than the last accepted one."""
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(_secret(device))
    now = time.time() if now is None else now
    step = int(now // totp.interval)
    for candidate in (step - 1, step, step + 1):
        if candidate > device.last_step and secrets.compare_digest(
            totp.at(candidate * totp.interval), code
        ):
            updated = TwoFactorDevice.objects.filter(pk=device.pk, last_step__lt=candidate).update(
                last_step=candidate
            )
            return updated == 1
    return False


def confirm_enrolment(*, user: object, code: str, actor: Scope | None) -> list[str]:
    """Turn two-factor on with a first right code; returns the recovery codes (shown once)."""
    user_id = user.pk  # type: ignore[attr-defined]
    device = TwoFactorDevice.objects.filter(user_id=user_id, confirmed_at__isnull=True).first()
    if device is None:
        raise InvalidInput("Start the enrolment again.", "code")
    _throttle(user_id)
    if not _check_totp(device, code):
        raise InvalidInput("This code is not right; check your phone's clock.", "code")
    with transaction.atomic():
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        rulecache.changed(user_id=user_id)
        codes = _new_recovery_codes(user_id)
        if actor is not None:
            record_audit(actor=actor, action="two_factor.enable", target=user)
    return codes


def _new_recovery_codes(user_id: int) -> list[str]:
    RecoveryCode.objects.filter(user_id=user_id).delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user_id=user_id, digest=_digest(c)) for c in codes
    )
    return codes


def _throttle(user_id: int) -> None:
    if counters.hit(f"2fa:{user_id}", WINDOW).count > ATTEMPTS:
        raise Forbidden("Too many wrong codes; wait five minutes.", "code")


def verify(*, user: object, code: str) -> bool:
    """A second factor for this sign-in: a TOTP code, or an unused recovery code (used up)."""
    user_id = user.pk  # type: ignore[attr-defined]
    device = TwoFactorDevice.objects.filter(user_id=user_id, confirmed_at__isnull=False).first()
    if device is None:
        return False
    _throttle(user_id)
    if _check_totp(device, code):
        counters.clear(f"2fa:{user_id}")
        return True
    used = RecoveryCode.objects.filter(
        user_id=user_id, digest=_digest(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used == 1


def disable(*, user: object, actor: Scope | None) -> None:
    user_id = user.pk  # type: ignore[attr-defined]
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user_id=user_id).delete()
        RecoveryCode.objects.filter(user_id=user_id).delete()
        rulecache.changed(user_id=user_id)
        if actor is not None:
            record_audit(actor=actor, action="two_factor.disable", target=user)
