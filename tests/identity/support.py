"""Helpers of the identity tests: an organisation's SSO set up through the services, and a
browser's trip through the provider."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.identity.oidc_provider import OidcProvider
from voxloop.identity import services
from voxloop.tenancy.scoping import Scope

HOST = "testserver"


def configure_oidc(
    scope: Scope,
    provider: OidcProvider,
    *,
    domains: str = "",
    mappings: list | None = None,
    **more: Any,
) -> Any:
    fields = {
        "protocol": "oidc",
        "sso_enabled": True,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "email_domains": domains,
        **more,
    }
    policy = services.save_policy(actor=scope, fields=fields, client_secret=provider.client_secret)
    if mappings is not None:
        services.save_mappings(
            actor=scope,
            rows=[services.MappingRow(group=g, role=r, unit_code=u) for g, r, u in mappings],
        )
    return policy


def oidc_sign_in(
    client: Client, slug: str, provider: OidcProvider, claims: dict, **options: Any
) -> Any:
    """Start at our sign-in, let the provider vouch for `claims`, come back: the answer."""
    started = client.get(f"/identity/sso/{slug}/")
    assert started.status_code == 302, started.content
    callback = provider.grant(started["Location"], claims, **options)
    return client.get(callback)
