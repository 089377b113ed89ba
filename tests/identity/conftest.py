"""Identity fixtures: identity providers on loopback, allowed through the outbound guard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.identity.oidc_provider import OidcProvider


@pytest.fixture(autouse=True)
def _loopback_providers(settings) -> None:
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def oidc_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def other_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider(client_id="other-client", client_secret="other").start()
    yield provider
    provider.stop()
