"""The OAuth 2.0 authorisation-code flow for HubSpot and Salesforce: the admin's browser is
sent to the provider with a signed, short-lived `state` naming the connector; the provider
sends it back with a code, which is exchanged at the provider's token endpoint for access and
refresh tokens, sealed with the connector's credentials. Refreshing happens in
`connectors.base.Session` on a 401 (and before, for HubSpot's known expiry)."""

from __future__ import annotations

import urllib.parse

from django.core import signing

from voxloop import sealing
from voxloop.crm import services
from voxloop.crm.connectors import connector as provider_of
from voxloop.crm.connectors.base import CrmError
from voxloop.crm.models import CrmConnector
from voxloop.errors import InvalidInput
from voxloop.tenancy.scoping import Scope

SALT = "crm.oauth"
MAX_AGE = 15 * 60
AUTHORIZE = {
    "hubspot": "https://app.hubspot.com/oauth/authorize",
    "salesforce": "https://login.salesforce.com/services/oauth2/authorize",
}


def authorize_url(*, connector: CrmConnector, redirect_uri: str, authorize_base: str = "") -> str:
    """Where to send the admin's browser. `authorize_base` replaces the provider's page (a
    Salesforce My Domain, or a test's fake server)."""
    provider = provider_of(connector.kind)
    if not provider.uses_oauth:
        raise InvalidInput(f"{connector.get_kind_display()} uses an API token.", "kind")
    credentials = sealing.unseal(connector.credentials)
    if not credentials.get("client_id") or not credentials.get("client_secret"):
        raise InvalidInput("Save the app's client id and secret first.", "client_id")
    state = signing.dumps({"c": connector.pk, "o": connector.organization_id}, salt=SALT)
    query = {
        "client_id": credentials["client_id"],
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
    }
    if connector.kind == "hubspot":
        query["scope"] = getattr(provider, "scopes", "")
    base = authorize_base or AUTHORIZE[connector.kind]
    if connector.kind == "salesforce" and connector.base_url and not authorize_base:
        base = connector.base_url.rstrip("/") + "/services/oauth2/authorize"
    return f"{base}?{urllib.parse.urlencode(query)}"


def connector_id_of(state: str) -> int:
    try:
        data = signing.loads(state, salt=SALT, max_age=MAX_AGE)
        return int(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidInput("This authorisation expired or was not started here.", "state") from None


def complete(*, scope: Scope, connector: CrmConnector, code: str, redirect_uri: str) -> None:
    """Exchange the code for tokens and keep them."""
    if not code or len(code) > 2000:
        raise InvalidInput("The provider sent no authorisation code.", "code")
    provider = provider_of(connector.kind)
    exchange = getattr(provider, "exchange", None)
    if exchange is None:
        raise InvalidInput(f"{connector.get_kind_display()} uses an API token.", "kind")
    try:
        tokens = exchange(
            connector.base_url,
            sealing.unseal(connector.credentials),
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        )
    except CrmError as error:
        raise InvalidInput(f"The provider refused the authorisation: {error}", "code") from None
    services.store_tokens(scope=scope, connector=connector, tokens=tokens)
