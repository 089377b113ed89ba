"""The demo's single sign-on: an OpenID Connect provider configured for Northwind Group but
switched OFF (the demo signs in with passwords). Turning it on in Settings → Sign-in, with a
local Keycloak realm at the issuer below, gives store managers access through their
`store-<code>-managers` group (e.g. `store-0042-managers` → manager at S-0042)."""

from __future__ import annotations

from voxloop.identity import services
from voxloop.identity.models import Protocol, SignInPolicy
from voxloop.tenancy.scoping import Scope

ISSUER = "http://localhost:8080/realms/northwind"
CLIENT_ID = "voxloop"
CLIENT_SECRET = "northwind-keycloak-demo"  # noqa: S105 - a demo value, printed in the docs


def add_sign_in(system: Scope, root_code: str) -> SignInPolicy:
    policy = services.save_policy(
        actor=system,
        fields={
            "protocol": Protocol.OIDC,
            "sso_enabled": False,
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "groups_claim": "groups",
            "jit_provisioning": True,
        },
        client_secret=CLIENT_SECRET,
    )
    services.save_mappings(
        actor=system,
        rows=[
            services.MappingRow(
                group="store-{code}-managers", role="manager", unit_code="S-{code}"
            ),
            services.MappingRow(group="northwind-admins", role="admin", unit_code=root_code),
        ],
    )
    return policy
