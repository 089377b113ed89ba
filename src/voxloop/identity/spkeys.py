"""Our keys as a SAML service provider, one set per organisation: one pair signs our
AuthnRequests and LogoutRequests, the other decrypts the assertions the provider encrypts for
us. Self-signed certificates (SAML trusts the key in the metadata, not a CA), sealed with
voxloop.sealing like every other credential; the metadata page publishes both certificates."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from voxloop import sealing
from voxloop.identity.models import SignInPolicy

VALID_DAYS = 3650  # providers pin the certificate; rotation is a metadata change for them
USES = ("signing", "encryption")


def key_pair(common_name: str) -> tuple[str, str]:
    """(private key PEM, certificate PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem.decode(), cert.public_bytes(serialization.Encoding.PEM).decode()


def ensure(*, policy: SignInPolicy) -> dict[str, str]:
    """The organisation's SP keys ({use}_key, {use}_cert), made and stored on first need."""
    keys = sealing.unseal(policy.sealed_sp_keys)
    if all(keys.get(f"{use}_key") and keys.get(f"{use}_cert") for use in USES):
        return keys
    old, keys = policy.sealed_sp_keys, {}
    for use in USES:
        keys[f"{use}_key"], keys[f"{use}_cert"] = key_pair(
            f"Voxloop SAML {use} {policy.organization_id}"
        )
    policy.sealed_sp_keys = sealing.seal(keys)
    if policy.pk:
        # Only over what we read: two first requests at once end with the same keys.
        SignInPolicy.objects.filter(pk=policy.pk, sealed_sp_keys=old).update(
            sealed_sp_keys=policy.sealed_sp_keys
        )
        policy.refresh_from_db(fields=["sealed_sp_keys"])
        return sealing.unseal(policy.sealed_sp_keys)
    return keys
