"""SAML 2.0 as a service provider, with pysaml2 (signatures checked by Debian's xmlsec1).

The organisation's identity provider is read from its metadata (pasted XML, or fetched once
from its URL through voxloop.outbound). Our requests are signed with the organisation's SP
signing key, and assertions may come encrypted to its SP encryption key (`spkeys`). A response
is accepted only when it answers a request this browser started (or, when the organisation
allows sign-in started at the provider, answers none at all), its assertion or the response
is signed by a key of that metadata, it is addressed to this organisation's consumer URL and
audience, and it is within its validity window give or take CLOCK_SKEW; the views then refuse
an assertion id seen before (replay)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from voxloop import outbound
from voxloop.identity import services, spkeys
from voxloop.identity.models import SignInPolicy

CLOCK_SKEW = 120


class SignInRefused(Exception):
    """A SAML answer that signs nobody in; the message says why."""


def xmlsec_binary() -> str:
    found = shutil.which("xmlsec1")
    if not found:
        raise SignInRefused("xmlsec1 is not installed (Debian package xmlsec1)")
    return found


def _metadata(policy: SignInPolicy) -> str:
    if policy.metadata_xml.strip():
        return policy.metadata_xml
    cached = (policy.discovery or {}).get("saml_metadata")
    if isinstance(cached, str) and cached:
        return cached
    try:
        answer = outbound.send("GET", policy.metadata_url, max_body=2_000_000)
    except (outbound.RefusedDestination, OSError) as error:
        raise SignInRefused(f"cannot fetch the metadata: {error}") from None
    if answer.status != 200:
        raise SignInRefused(f"the metadata URL answered {answer.status}")
    xml = answer.body.decode("utf-8", "replace")
    services.remember_provider_documents(policy=policy, discovery={"saml_metadata": xml})
    return xml


def urls(request: HttpRequest, policy: SignInPolicy) -> dict[str, str]:
    slug = policy.organization.slug
    return {
        "entity_id": request.build_absolute_uri(reverse("identity:saml_metadata", args=[slug])),
        "acs": request.build_absolute_uri(reverse("identity:saml_acs", args=[slug])),
        "sls": request.build_absolute_uri(reverse("identity:saml_sls", args=[slug])),
    }


SIGNATURE = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"


@contextlib.contextmanager
def _key_files(policy: SignInPolicy) -> Iterator[dict[str, str]]:
    """The SP keys as files for xmlsec1, in a private folder removed on leaving."""
    keys = spkeys.ensure(policy=policy)
    with tempfile.TemporaryDirectory(prefix="vx-saml-") as folder:
        paths = {}
        for name, pem in keys.items():
            path = Path(folder) / f"{name}.pem"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(pem)
            paths[name] = str(path)
        yield paths


@contextlib.contextmanager
def _client(request: HttpRequest, policy: SignInPolicy, *, with_idp: bool = True) -> Iterator[Any]:
    # Imported here: pysaml2 is large and only sign-in pages need it.
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    where = urls(request, policy)
    with _key_files(policy) as keys:
        config: dict[str, Any] = {
            "entityid": where["entity_id"],
            "xmlsec_binary": xmlsec_binary(),
            "key_file": keys["signing_key"],
            "cert_file": keys["signing_cert"],
            "encryption_keypairs": [
                {"key_file": keys["encryption_key"], "cert_file": keys["encryption_cert"]}
            ],
            "signing_algorithm": SIGNATURE,
            "digest_algorithm": DIGEST,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(where["acs"], BINDING_HTTP_POST)],
                        "single_logout_service": [(where["sls"], BINDING_HTTP_REDIRECT)],
                    },
                    "allow_unsolicited": policy.idp_initiated,
                    "want_response_signed": False,
                    "want_assertions_signed": False,
                    "want_assertions_or_response_signed": True,
                    "authn_requests_signed": True,
                    "logout_requests_signed": True,
                }
            },
            "accepted_time_diff": CLOCK_SKEW,
            "allow_unknown_attributes": True,
        }
        if with_idp:
            config["metadata"] = {"inline": [_metadata(policy)]}
        sp_config = SPConfig()
        try:
            sp_config.load(config)
            client = Saml2Client(config=sp_config)
        except Exception as error:  # pysaml2 raises many kinds on bad metadata
            raise SignInRefused(
                f"the identity provider's metadata is not usable ({error})"
            ) from None
        yield client


def _idp_entity(client: Any) -> str:
    idps = list(client.metadata.identity_providers())
    if len(idps) != 1:
        raise SignInRefused("the metadata must describe exactly one identity provider")
    return str(idps[0])


def authn_request_url(request: HttpRequest, policy: SignInPolicy) -> tuple[str, str]:
    """Where to send the browser (a signed AuthnRequest, HTTP-Redirect binding) and the
    request's id, which the answer must name."""
    from saml2 import BINDING_HTTP_REDIRECT

    with _client(request, policy) as client:
        try:
            request_id, info = client.prepare_for_authenticate(
                entityid=_idp_entity(client),
                binding=BINDING_HTTP_REDIRECT,
                sign=True,
                sigalg=SIGNATURE,
                digest_alg=DIGEST,
            )
        except SignInRefused:
            raise
        except Exception as error:
            raise SignInRefused(f"cannot build the request ({error})") from None
    location = dict(info["headers"])["Location"]
    return str(location), str(request_id)


def read_response(
    request: HttpRequest, policy: SignInPolicy, encoded: str, *, expected_request_id: str
) -> dict[str, Any]:
    """The person a signed response vouches for, or SignInRefused. Without a request of this
    browser to answer, only an organisation that allows sign-in started at the provider
    takes a response, and only one that answers no request at all."""
    from saml2 import BINDING_HTTP_POST

    if not encoded:
        raise SignInRefused("no SAML response")
    if not expected_request_id and not policy.idp_initiated:
        raise SignInRefused("this browser started no sign-in (unsolicited response)")
    outstanding = {expected_request_id: "/"} if expected_request_id else {}
    with _client(request, policy) as client:
        try:
            answer = client.parse_authn_request_response(
                encoded, BINDING_HTTP_POST, outstanding=outstanding
            )
        except Exception as error:  # pysaml2 signals every refusal with its own exception
            raise SignInRefused(f"{type(error).__name__}: {error}"[:300]) from None
    if answer is None or answer.assertion is None:
        raise SignInRefused("the response holds no assertion")
    answered = str(answer.in_response_to or "")
    # pysaml2, allowing unsolicited responses, takes any InResponseTo: we do not.
    if answered and answered != expected_request_id:
        raise SignInRefused("the response answers a request this browser did not send")
    return _person(policy, answer, unsolicited=not answered)


def _person(policy: SignInPolicy, answer: Any, *, unsolicited: bool) -> dict[str, Any]:
    attributes = answer.get_identity() or {}
    groups = attributes.get(policy.groups_attribute or "groups", [])
    emails = attributes.get("email") or attributes.get("mail") or []
    name_id = answer.name_id.text if answer.name_id is not None else ""
    statements = answer.assertion.authn_statement or []
    not_after = getattr(answer, "not_on_or_after", 0) or 0
    return {
        "subject": str(name_id),
        "email": str(emails[0]) if emails else (name_id if "@" in str(name_id) else ""),
        "groups": [str(g) for g in groups],
        "names": {
            "first_name": str((attributes.get("givenName") or [""])[0])[:150],
            "last_name": str((attributes.get("sn") or attributes.get("surname") or [""])[0])[:150],
        },
        "assertion_id": str(answer.assertion.id),
        "session_index": str(statements[0].session_index or "") if statements else "",
        "expires_at": datetime.fromtimestamp(float(not_after), tz=UTC)
        if not_after
        else datetime.now(tz=UTC),
        "unsolicited": unsolicited,
    }


def logout_request_url(request: HttpRequest, policy: SignInPolicy, hint: dict) -> str | None:
    """A signed LogoutRequest to the provider's single logout service, when it has one."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import NAMEID_FORMAT_UNSPECIFIED, NameID

    with _client(request, policy) as client:
        idp = _idp_entity(client)
        try:
            destinations = client.metadata.single_logout_service(
                idp, BINDING_HTTP_REDIRECT, "idpsso"
            )
        except Exception:
            return None
        if not destinations:
            return None
        destination = destinations[0]["location"]
        _request_id, logout_request = client.create_logout_request(
            destination,
            idp,
            name_id=NameID(text=hint.get("name_id", ""), format=NAMEID_FORMAT_UNSPECIFIED),
            session_indexes=[hint["session_index"]] if hint.get("session_index") else None,
        )
        info = client.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(logout_request),
            destination,
            sign=True,
            sigalg=SIGNATURE,
        )
    return str(dict(info["headers"])["Location"])


def sp_metadata(request: HttpRequest, policy: SignInPolicy) -> str:
    """Our metadata: entity id, endpoints, and both certificates (signing, encryption)."""
    from saml2.metadata import entity_descriptor

    with _client(request, policy, with_idp=False) as client:
        return str(entity_descriptor(client.config))
