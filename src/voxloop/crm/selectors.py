"""Reads of CRM connectors for their admins, always scoped: a connector outside the reader's
subtree or organisation is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet

from voxloop import sealing
from voxloop.crm.models import Activity, CrmConnector, FieldMapping, JobStatus, WriteBack
from voxloop.tenancy.scoping import Capability, Scope


def connectors(scope: Scope) -> QuerySet[CrmConnector]:
    scope.require(Capability.CONFIGURE)
    return scope.filter(CrmConnector.objects.select_related("unit"), "unit_path")


def connector(scope: Scope, connector_id: int) -> CrmConnector:
    scope.require(Capability.CONFIGURE)
    return scope.get(CrmConnector.objects.select_related("unit"), "unit_path", pk=connector_id)


def activity(connector_obj: CrmConnector, limit: int = 50) -> list[Activity]:
    return list(connector_obj.activity.all()[:limit])


def mapping(connector_obj: CrmConnector) -> list[FieldMapping]:
    return list(connector_obj.mappings.all())


def failed_writebacks(connector_obj: CrmConnector, limit: int = 20) -> list[WriteBack]:
    return list(connector_obj.writebacks.filter(status=JobStatus.FAILED)[:limit])


def queued_count(connector_obj: CrmConnector) -> int:
    return connector_obj.writebacks.filter(status=JobStatus.QUEUED).count()


def credential_hints(connector_obj: CrmConnector) -> dict[str, str]:
    return {k: sealing.hint(v) for k, v in sealing.unseal(connector_obj.credentials).items()}


def is_authorised(connector_obj: CrmConnector) -> bool:
    return bool(sealing.unseal(connector_obj.credentials).get("access_token"))
