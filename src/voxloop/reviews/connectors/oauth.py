"""OAuth access tokens that expire (Google's after an hour, Trustpilot's business-user token
after a few days), renewed by the refresh-token grant (RFC 6749 §6).

A request answered 401 while a refresh token is at hand gets a new access token from the
provider's token endpoint, the credentials are handed to the caller's `on_refresh` (which
stores them sealed) and the request is retried once; a second 401 is the provider's answer. A
token known to have expired (`expires_at`, seconds since the epoch, kept from `expires_in`) is
refreshed before the request, saving the provider a refusal."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

from voxloop.reviews.connectors.base import ProviderError, SourceConfig, call

REFRESH_FIELDS = ("refresh_token", "client_id", "client_secret")
EARLY = 60  # seconds: a token this close to its end is renewed first


def can_refresh(config: SourceConfig, needs: tuple[str, ...] = ("refresh_token",)) -> bool:
    return all(config.credentials.get(name) for name in needs)


def refresh(
    config: SourceConfig,
    token_url: str,
    form: dict[str, str],
    headers: dict[str, str] | None = None,
) -> str:
    """A new access token from the token endpoint, stored through `on_refresh`."""
    try:
        body = call("POST", token_url, headers, form={"grant_type": "refresh_token", **form})
    except ProviderError as error:
        if error.transient:
            raise
        raise ProviderError(
            "The provider refused the refresh token; connect the source again "
            f"({error.status or 'no answer'}).",
            status=error.status,
        ) from None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise ProviderError("The token endpoint answered without an access token.")
    renewed = dict(config.credentials)
    renewed["access_token"] = str(token)
    if body.get("refresh_token"):  # some providers rotate the refresh token too
        renewed["refresh_token"] = str(body["refresh_token"])
    try:
        renewed["expires_at"] = str(int(time.time() + float(body["expires_in"])))
    except (KeyError, TypeError, ValueError):
        renewed.pop("expires_at", None)
    config.credentials.clear()
    config.credentials.update(renewed)
    if config.on_refresh is not None:
        config.on_refresh(dict(renewed))
    return renewed["access_token"]


def expired(config: SourceConfig, now: float | None = None) -> bool:
    stamp = config.credentials.get("expires_at", "")
    if not stamp or not stamp.isdigit():
        return False
    return int(stamp) - EARLY <= (now if now is not None else time.time())


def with_token(
    config: SourceConfig,
    renew: Callable[[], str] | None,
    send: Callable[[str], Any],
) -> Any:
    """`send(access_token)`, renewing the token first when it expired and once on a 401."""
    if renew is not None and (expired(config) or not config.credentials.get("access_token")):
        renew()
    try:
        return send(config.credentials.get("access_token", ""))
    except ProviderError as error:
        if error.status != 401 or renew is None:
            raise
    renew()
    return send(config.credentials.get("access_token", ""))


def basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 (an address)


def google(config: SourceConfig) -> Callable[[], str] | None:
    """The refresh of a Google access token (an OAuth client's id and secret and the refresh
    token of the account that granted access); None without them. A source with its own API
    address (a proxy, the tests' fake) finds the token endpoint at `{address}/token`."""
    if not can_refresh(config, REFRESH_FIELDS):
        return None
    url = f"{config.base_url.rstrip('/')}/token" if config.base_url else GOOGLE_TOKEN_URL
    form = {name: config.credentials[name] for name in REFRESH_FIELDS}
    return lambda: refresh(config, url, form)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
