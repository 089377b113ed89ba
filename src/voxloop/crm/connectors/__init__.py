"""One module per CRM or help desk, each behind `base.Connector`; `connector(kind)` picks one."""

from __future__ import annotations

from voxloop.crm.connectors.base import Connector
from voxloop.crm.connectors.freshdesk import Freshdesk
from voxloop.crm.connectors.hubspot import HubSpot
from voxloop.crm.connectors.salesforce import Salesforce
from voxloop.crm.connectors.zendesk import Zendesk

_ALL: tuple[Connector, ...] = (Salesforce(), HubSpot(), Zendesk(), Freshdesk())
CONNECTORS: dict[str, Connector] = {c.kind: c for c in _ALL}


def connector(kind: str) -> Connector:
    found = CONNECTORS.get(kind)
    if found is None:
        raise KeyError(kind)
    return found
