"""OpenID Connect, authorization code flow with PKCE (RFC 7636), as a relying party.

Every request to the provider goes through voxloop.outbound (no redirects, checked
addresses). ID tokens are verified with joserfc (the JOSE library of the Authlib project)
against the provider's published keys: signature (RS256/ES256/PS256 only, never "none" or a
shared-secret algorithm a client secret could forge), issuer, audience, authorised party,
expiry and issue time with CLOCK_SKEW of leeway, and the nonce of this browser's attempt."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import urllib.parse
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from voxloop import outbound
from voxloop.identity import services
from voxloop.identity.models import SignInPolicy

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
CLOCK_SKEW = 120  # seconds either way between our clock and the provider's


class SignInRefused(Exception):
    """The provider's answer cannot sign anyone in; the message says why (for the log)."""


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = outbound.send("GET", url, headers={"Accept": "application/json"}, max_body=500_000)
    except (outbound.RefusedDestination, OSError) as error:
        raise SignInRefused(f"cannot reach the identity provider: {error}") from None
    if answer.status != 200:
        raise SignInRefused(f"the identity provider answered {answer.status} for {url}")
    try:
        document = json.loads(answer.body)
    except ValueError:
        raise SignInRefused(f"the identity provider sent no JSON at {url}") from None
    if not isinstance(document, dict):
        raise SignInRefused(f"the identity provider sent no JSON object at {url}")
    return document


def discovery(policy: SignInPolicy, *, refresh: bool = False) -> dict[str, Any]:
    if policy.discovery and not refresh:
        return policy.discovery
    issuer = policy.issuer.rstrip("/")
    document = _get_json(f"{issuer}/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise SignInRefused("the discovery document names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(key), str):
            raise SignInRefused(f"the discovery document has no {key}")
    services.remember_provider_documents(policy=policy, discovery=document)
    return document


def _keys(policy: SignInPolicy, *, refresh: bool = False) -> KeySet:
    if refresh or not policy.jwks:
        jwks = _get_json(discovery(policy)["jwks_uri"])
        services.remember_provider_documents(policy=policy, jwks=jwks)
    try:
        return KeySet.import_key_set(policy.jwks)
    except (JoseError, ValueError, TypeError, KeyError):
        raise SignInRefused("the provider's key set is not valid") from None


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def authorization_url(
    policy: SignInPolicy, *, redirect_uri: str, state: str, nonce: str, verifier: str
) -> str:
    endpoint = discovery(policy)["authorization_endpoint"]
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": policy.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def exchange_code(
    policy: SignInPolicy, *, code: str, redirect_uri: str, verifier: str, nonce: str
) -> tuple[dict[str, Any], str]:
    """The verified claims of the ID token the code is exchanged for, and the raw token (for
    the logout hint)."""
    endpoint = discovery(policy)["token_endpoint"]
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
    ).encode()
    basic = base64.b64encode(
        f"{urllib.parse.quote(policy.client_id, safe='')}:"
        f"{urllib.parse.quote(services.client_secret(policy=policy), safe='')}".encode()
    ).decode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "Authorization": f"Basic {basic}",
    }
    try:
        answer = outbound.send("POST", endpoint, body=body, headers=headers, max_body=200_000)
    except (outbound.RefusedDestination, OSError) as error:
        raise SignInRefused(f"cannot reach the token endpoint: {error}") from None
    if answer.status != 200:
        raise SignInRefused(f"the token endpoint answered {answer.status}")
    try:
        id_token = json.loads(answer.body)["id_token"]
    except (ValueError, KeyError, TypeError):
        raise SignInRefused("the token endpoint sent no ID token") from None
    return verify_id_token(policy, id_token=str(id_token), nonce=nonce), str(id_token)


def verify_id_token(
    policy: SignInPolicy, *, id_token: str, nonce: str, now: float | None = None
) -> dict[str, Any]:
    try:
        token = jwt.decode(id_token, _keys(policy), algorithms=ALGORITHMS)
    except JoseError:
        # The provider may have rotated its keys since we cached them: fetch them once more.
        try:
            token = jwt.decode(id_token, _keys(policy, refresh=True), algorithms=ALGORITHMS)
        except JoseError as error:
            raise SignInRefused(f"the ID token's signature does not verify ({error})") from None
    claims = dict(token.claims)
    now = time.time() if now is None else now
    if str(claims.get("iss", "")).rstrip("/") != policy.issuer.rstrip("/"):
        raise SignInRefused("the ID token was issued by another provider")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if policy.client_id not in audiences:
        raise SignInRefused("the ID token is meant for another client")
    if len(audiences) > 1 and claims.get("azp") != policy.client_id:
        raise SignInRefused("the ID token's authorised party is another client")
    try:
        expires, issued = float(claims["exp"]), float(claims.get("iat", now))
    except (KeyError, TypeError, ValueError):
        raise SignInRefused("the ID token has no expiry") from None
    if expires + CLOCK_SKEW < now:
        raise SignInRefused("the ID token has expired")
    if issued - CLOCK_SKEW > now:
        raise SignInRefused("the ID token was issued in the future")
    if not nonce or claims.get("nonce") != nonce:
        raise SignInRefused("the ID token belongs to another sign-in attempt (nonce)")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefused("the ID token names nobody")
    return claims


def logout_url(policy: SignInPolicy, *, id_token: str, return_to: str) -> str | None:
    """The provider's end-session endpoint (RP-initiated logout), when it publishes one."""
    endpoint = (policy.discovery or {}).get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        return None
    query = urllib.parse.urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": return_to,
            "client_id": policy.client_id,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


# --- back-channel logout (OpenID Connect Back-Channel Logout 1.0) -------------------------

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_AGE = 600  # seconds: an older logout token is refused even inside its expiry


def _decode(policy: SignInPolicy, token: str) -> dict[str, Any]:
    try:
        return dict(jwt.decode(token, _keys(policy), algorithms=ALGORITHMS).claims)
    except JoseError:
        try:
            decoded = jwt.decode(token, _keys(policy, refresh=True), algorithms=ALGORITHMS)
        except JoseError as error:
            raise SignInRefused(f"the token's signature does not verify ({error})") from None
        return dict(decoded.claims)
    except ValueError:
        raise SignInRefused("this is not a signed token") from None


def verify_logout_token(
    policy: SignInPolicy, *, token: str, now: float | None = None
) -> dict[str, Any]:
    """The claims of a logout token the provider signed (section 2.6 of the specification),
    or SignInRefused. The caller refuses a `jti` seen before."""
    if not token:
        raise SignInRefused("no logout_token")
    claims = _decode(policy, token)
    now = time.time() if now is None else now
    if str(claims.get("iss", "")).rstrip("/") != policy.issuer.rstrip("/"):
        raise SignInRefused("the logout token was issued by another provider")
    audience = claims.get("aud")
    if policy.client_id not in (audience if isinstance(audience, list) else [audience]):
        raise SignInRefused("the logout token is meant for another client")
    try:
        issued = float(claims["iat"])
        expires = float(claims.get("exp", issued + LOGOUT_TOKEN_AGE))
    except (KeyError, TypeError, ValueError):
        raise SignInRefused("the logout token has no issue time") from None
    if issued - CLOCK_SKEW > now or min(expires, issued + LOGOUT_TOKEN_AGE) + CLOCK_SKEW < now:
        raise SignInRefused("the logout token is not fresh")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(LOGOUT_EVENT), dict):
        raise SignInRefused("the logout token has no back-channel logout event")
    if "nonce" in claims:
        # An ID token carries a nonce; a logout token must not, so one is never taken for the other.
        raise SignInRefused("a logout token carries no nonce")
    if not (isinstance(claims.get("sub"), str) and claims["sub"]) and not (
        isinstance(claims.get("sid"), str) and claims["sid"]
    ):
        raise SignInRefused("the logout token names neither a subject nor a session")
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise SignInRefused("the logout token has no jti")
    return claims
