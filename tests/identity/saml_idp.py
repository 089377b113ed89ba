"""A SAML 2.0 identity provider in the test process, built with pysaml2 (which signs with
Debian's xmlsec1): its key and certificate are made for each test run, its clock can be set
ahead or behind, and it answers the request our sign-in redirected the browser with."""

from __future__ import annotations

import base64
import contextlib
import datetime
import shutil
import time as real_time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, time_util
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

ENTITY = "https://idp.example.test/metadata"


def _key_pair(folder: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


class SamlIdp:
    def __init__(self, folder: Path, entity: str = ENTITY) -> None:
        self.entity = entity
        self.key_file, self.cert_file = _key_pair(folder, "idp")
        self.sp_metadata: str = ""

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "entityid": self.entity,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            ("https://idp.example.test/sso", BINDING_HTTP_REDIRECT)
                        ],
                        "single_logout_service": [
                            ("https://idp.example.test/slo", BINDING_HTTP_REDIRECT)
                        ],
                    },
                    "policy": {"default": {"lifetime": {"minutes": 5}}},
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    # Our requests must carry a valid signature by the SP metadata's key.
                    "want_authn_requests_signed": True,
                }
            },
        }
        if self.sp_metadata:
            config["metadata"] = {"inline": [self.sp_metadata]}
        return config

    def server(self) -> Server:
        idp_config = IdPConfig()
        idp_config.load(self._config())
        return Server(config=idp_config)

    def metadata(self) -> str:
        idp_config = IdPConfig()
        idp_config.load(self._config())
        return str(entity_descriptor(idp_config))

    def answer(
        self,
        redirect_to_idp: str,
        *,
        email: str,
        groups: list[str],
        sign_assertion: bool = True,
        sign_response: bool = False,
        encrypt: bool = False,
        audience: str = "",
    ) -> tuple[str, str]:
        """(ACS path, base64 SAMLResponse) for the AuthnRequest in the redirect URL, whose
        signature is checked first (IncorrectlySigned when it does not verify)."""
        message = self.request_of(redirect_to_idp)
        acs = message.assertion_consumer_service_url
        return urllib.parse.urlsplit(acs).path, self.response(
            acs,
            sp_entity_id=message.issuer.text,
            in_response_to=message.id,
            email=email,
            groups=groups,
            sign_assertion=sign_assertion,
            sign_response=sign_response,
            encrypt=encrypt,
            audience=audience,
        )

    def request_of(self, redirect_to_idp: str) -> Any:
        """The AuthnRequest in the redirect URL, its signature checked."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect_to_idp).query))
        return (
            self.server()
            .parse_authn_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query.get("SigAlg"),
                signature=query.get("Signature"),
            )
            .message
        )

    def response(
        self,
        acs: str,
        *,
        sp_entity_id: str,
        in_response_to: str | None,
        email: str,
        groups: list[str],
        sign_assertion: bool = True,
        sign_response: bool = False,
        encrypt: bool = False,
        audience: str = "",
    ) -> str:
        """A base64 SAMLResponse; without `in_response_to`, an unsolicited one."""
        server = self.server()
        # Encrypted to the certificate our SP metadata publishes for encryption.
        extra = {"encrypt_assertion": True, "encrypt_assertion_self_contained": True}
        response = server.create_authn_response(
            identity={"mail": [email], "groups": groups, "givenName": ["Kim"]},
            in_response_to=in_response_to,
            destination=acs,
            sp_entity_id=audience or sp_entity_id,  # the audience restriction names it
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=sign_assertion,
            sign_response=sign_response,
            **(extra if encrypt else {}),
        )
        return base64.b64encode(str(response).encode()).decode()


class _ShiftedTime:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(real_time, name)

    def time(self) -> float:
        return real_time.time() + self.seconds

    def gmtime(self, seconds: float | None = None) -> real_time.struct_time:
        return real_time.gmtime(self.time() if seconds is None else seconds)


@contextlib.contextmanager
def idp_clock(seconds: float) -> Iterator[None]:
    """The identity provider's clock runs `seconds` ahead (negative: behind) while it
    writes an answer."""
    real_datetime = datetime.datetime

    class Shifted(real_datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return real_datetime.now(tz) + datetime.timedelta(seconds=seconds)

    saved = time_util.time, time_util.datetime
    time_util.time = _ShiftedTime(seconds)  # type: ignore[assignment]
    time_util.datetime = Shifted  # type: ignore[misc]
    try:
        yield
    finally:
        time_util.time, time_util.datetime = saved


BINDINGS = (BINDING_HTTP_POST, BINDING_HTTP_REDIRECT)
