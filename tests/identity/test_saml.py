"""SAML 2.0 sign-in against a pysaml2 identity provider: provisioning and group mapping,
unsigned, replayed, expired and foreign answers refused, clock skew tolerated."""

from __future__ import annotations

import base64
import functools

import pytest
from django.test import Client
from saml2.response import IncorrectlySigned

from tests.identity.saml_idp import SamlIdp, idp_clock
from voxloop.identity import services, spkeys
from voxloop.identity.models import SignInPolicy
from voxloop.tenancy.models import Membership

pytestmark = pytest.mark.django_db


# Our SP keys, made once per common name (use and organisation) for the whole module.
_sp_key_pair = functools.cache(spkeys.key_pair)


@pytest.fixture(autouse=True)
def _sp_keys_made_once(monkeypatch) -> None:
    monkeypatch.setattr(spkeys, "key_pair", _sp_key_pair)


@pytest.fixture
def idp(tmp_path) -> SamlIdp:
    return SamlIdp(tmp_path)


def _configure(world, idp: SamlIdp, org: str = "acme") -> None:
    scope = getattr(world, org).scope("admin")
    prefix = "A" if org == "acme" else "B"
    services.save_policy(
        actor=scope,
        fields={"protocol": "saml", "sso_enabled": True, "metadata_xml": idp.metadata()},
    )
    services.save_mappings(
        actor=scope,
        rows=[
            services.MappingRow(
                group="store-{code}-managers", role="manager", unit_code=prefix + "C1R1{code}"
            )
        ],
    )
    idp.sp_metadata = Client().get(f"/identity/sso/{org}/saml/metadata/").content.decode()


def _sign_in(client: Client, idp: SamlIdp, org: str = "acme", **answer) -> object:
    started = client.get(f"/identity/sso/{org}/")
    assert started.status_code == 302, started.content
    acs, encoded = idp.answer(started["Location"], **answer)
    return client.post(acs, {"SAMLResponse": encoded})


PERSON = {"email": "kim@acme.example", "groups": ["store-S1-managers"]}


def test_sign_in_provisions_at_the_mapped_unit(world, idp):
    _configure(world, idp)
    client = Client()
    answer = _sign_in(client, idp, **PERSON)
    assert answer.status_code == 302, answer.content
    membership = Membership.objects.select_related("unit").get(user__email="kim@acme.example")
    assert (membership.role, membership.unit.code) == ("manager", "AC1R1S1")
    assert client.get("/").status_code == 200


def test_an_unsigned_answer_is_refused(world, idp):
    _configure(world, idp)
    client = Client()
    answer = _sign_in(client, idp, sign_assertion=False, sign_response=False, **PERSON)
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_replayed_answer_is_refused(world, idp):
    _configure(world, idp)
    client = Client()
    started = client.get("/identity/sso/acme/")
    acs, encoded = idp.answer(started["Location"], **PERSON)
    assert client.post(acs, {"SAMLResponse": encoded}).status_code == 302
    client.logout()
    assert client.post(acs, {"SAMLResponse": encoded}).status_code == 403
    # Even inside a new attempt of the same browser: the assertion id was used.
    again = Client()
    again.get("/identity/sso/acme/")
    assert again.post(acs, {"SAMLResponse": encoded}).status_code == 403


def _answer_at(idp: SamlIdp, seconds: float) -> int:
    client = Client()
    started = client.get("/identity/sso/acme/")
    with idp_clock(seconds):  # only the provider's clock moves, ours stays
        acs, encoded = idp.answer(started["Location"], **PERSON)
    return client.post(acs, {"SAMLResponse": encoded}).status_code


def test_an_expired_answer_is_refused_and_a_small_skew_is_not(world, idp):
    _configure(world, idp)
    assert _answer_at(idp, -3600) == 403  # written an hour ago: its five minutes are gone
    assert _answer_at(idp, 3600) == 403  # written an hour from now
    assert _answer_at(idp, 60) == 302  # the provider's clock runs a minute ahead
    assert _answer_at(idp, -330) == 302  # a minute behind, past its five minutes by 30 s


def test_an_answer_for_acme_never_signs_into_other(world, idp, tmp_path):
    _configure(world, idp)
    others = SamlIdp(tmp_path / "other" if (tmp_path / "other").mkdir() is None else tmp_path)
    others.entity = "https://other-idp.example.test/metadata"
    _configure(world, others, "other")
    client = Client()
    started = client.get("/identity/sso/other/")
    # Acme's provider answers Other's request: signed, but by a key Other does not trust.
    message = others.request_of(started["Location"])
    acs = message.assertion_consumer_service_url
    encoded = idp.response(
        acs, sp_entity_id=message.issuer.text, in_response_to=message.id, **PERSON
    )
    assert client.post(acs, {"SAMLResponse": encoded}).status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_removed_group_demotes(world, idp):
    _configure(world, idp)
    _sign_in(Client(), idp, **PERSON)
    refused = _sign_in(Client(), idp, email="kim@acme.example", groups=[])
    assert refused.status_code == 403
    assert not Membership.objects.filter(user__email="kim@acme.example").exists()


def test_single_logout_sends_a_logout_request_to_the_provider(world, idp):
    _configure(world, idp)
    client = Client()
    started = client.get("/identity/sso/acme/")
    acs, encoded = idp.answer(started["Location"], **PERSON)
    assert acs == "/identity/sso/acme/saml/acs/"
    client.post(acs, {"SAMLResponse": encoded})
    answer = client.post("/identity/sso/logout/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://idp.example.test/slo?SAMLRequest=")
    assert "_auth_user_id" not in client.session
    # The provider's own logout request (or its answer to ours) ends a session here too.
    again = Client()
    again.post(
        acs, {"SAMLResponse": idp.answer(again.get("/identity/sso/acme/")["Location"], **PERSON)[1]}
    )
    assert again.get("/identity/sso/acme/saml/sls/").status_code == 302
    assert "_auth_user_id" not in again.session


def test_requests_are_signed_and_encrypted_assertions_are_accepted(world, idp):
    _configure(world, idp)
    metadata = idp.sp_metadata
    assert 'AuthnRequestsSigned="true"' in metadata
    assert 'use="signing"' in metadata and 'use="encryption"' in metadata
    policy = SignInPolicy.objects.get(organization__slug="acme")
    assert policy.sealed_sp_keys and "PRIVATE KEY" not in policy.sealed_sp_keys
    client = Client()
    started = client.get("/identity/sso/acme/")["Location"]
    assert "Signature=" in started and "SigAlg=" in started
    forged = started.replace("Signature=", "Signature=AAAA")
    with pytest.raises(IncorrectlySigned):
        idp.request_of(forged)
    acs, encoded = idp.answer(started, encrypt=True, **PERSON)
    assert "EncryptedAssertion" in base64.b64decode(encoded).decode()
    assert client.post(acs, {"SAMLResponse": encoded}).status_code == 302
    assert client.get("/").status_code == 200


def test_an_answer_for_another_audience_is_refused(world, idp):
    _configure(world, idp)
    client = Client()
    answer = _sign_in(client, idp, audience="https://elsewhere.example/sp", **PERSON)
    assert answer.status_code == 403
    assert b"audience" in answer.content.lower(), answer.content
    assert "_auth_user_id" not in client.session


def test_sign_in_started_at_the_provider_only_when_allowed_and_once(world, idp):
    _configure(world, idp)
    acs = "http://testserver/identity/sso/acme/saml/acs/"
    entity = "http://testserver/identity/sso/acme/saml/metadata/"

    def unsolicited() -> str:
        return idp.response(acs, sp_entity_id=entity, in_response_to=None, **PERSON)

    encoded = unsolicited()
    assert Client().post(acs, {"SAMLResponse": encoded}).status_code == 403  # off by default
    services.save_policy(actor=world.acme.scope("admin"), fields={"idp_initiated": True})
    client = Client()
    answer = client.post(acs, {"SAMLResponse": encoded, "RelayState": "/surveys/"})
    assert answer.status_code == 302 and answer["Location"] == "/surveys/"
    assert client.session["identity_method"] == "sso"
    assert Client().post(acs, {"SAMLResponse": encoded}).status_code == 403  # replayed
    # An answer to some other browser's request is still refused.
    stolen = idp.response(acs, sp_entity_id=entity, in_response_to="id-other", **PERSON)
    assert Client().post(acs, {"SAMLResponse": stolen}).status_code == 403
    away = Client().post(
        acs, {"SAMLResponse": unsolicited(), "RelayState": "https://evil.example/"}
    )
    assert away["Location"] == "/"
