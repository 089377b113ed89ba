"""One module per provider, each behind `base.Connector`; `connector(kind)` picks one."""

from __future__ import annotations

from voxloop.reviews.connectors.app_store import AppStore
from voxloop.reviews.connectors.base import Connector
from voxloop.reviews.connectors.google_business import GoogleBusiness
from voxloop.reviews.connectors.google_play import GooglePlay
from voxloop.reviews.connectors.trustpilot import Trustpilot
from voxloop.reviews.connectors.yelp import Yelp

_ALL: tuple[Connector, ...] = (GoogleBusiness(), AppStore(), GooglePlay(), Trustpilot(), Yelp())
CONNECTORS: dict[str, Connector] = {c.kind: c for c in _ALL}


def connector(kind: str) -> Connector | None:
    """The connector that fetches this kind of source; None for file imports."""
    return CONNECTORS.get(kind)
