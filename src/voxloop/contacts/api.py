"""Contacts over the API: scoped reads, batch upserts, consent, interaction events, segments."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import listing, page
from voxloop.api.schemas import Id
from voxloop.contacts import interactions, lifecycle, selectors, services
from voxloop.contacts.importing import import_records
from voxloop.contacts.models import Contact, InteractionType, Segment
from voxloop.contacts.schemas import (
    ConsentInput,
    ContactBatch,
    ContactFilters,
    ContactOut,
    ContactPage,
    ImportOut,
    InteractionBatch,
    InteractionReportOut,
    InteractionTypeIn,
    InteractionTypeList,
    InteractionTypeOut,
    InteractionTypePatch,
    SegmentIn,
    SegmentList,
    SegmentOut,
    SegmentPatch,
    StatusBatch,
    StatusReportOut,
)
from voxloop.privacy import erasure
from voxloop.privacy.schemas import ErasureOut
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope

router = Router(tags=["contacts"])


def _unit(scope: Scope, code: str | None) -> OrgUnit:
    return tenancy_selectors.unit_named_by(scope, code)


@router.get("/contacts", response=ContactPage, url_name="contacts")
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> dict:
    scope = actor(request)
    contacts = selectors.visible_contacts(scope, filters.q.strip())
    if filters.segment:
        contacts = selectors.segment_members(scope, filters.segment)
    return page(contacts.order_by("pk"), filters, request=request)


@router.get("/contacts/{int:contact_id}", response=ContactOut, url_name="contact")
def get_contact(request: HttpRequest, contact_id: Id) -> Contact:
    return selectors.contact(actor(request), contact_id)


@router.delete("/contacts/{int:contact_id}", response=ErasureOut, url_name="contact_erase")
def erase_contact(request: HttpRequest, contact_id: Id) -> dict:
    """Erase the person everywhere in the organisation (right to erasure). Their record is
    emptied of everything personal; their responses keep scores and choices but lose the
    link to them and what they wrote; invitations, cases, messages and the audit log no
    longer name them; dashboards keep every figure. Admins at the organisation's top unit.
    Returns how many rows of each kind changed."""
    report = erasure.erase_contact(actor=actor(request), contact_id=contact_id)
    return {"contact_id": report.contact_id, "erased_at": report.erased_at, "counts": report.counts}


@router.get("/contacts/{int:contact_id}/export", url_name="contact_export")
def export_contact(request: HttpRequest, contact_id: Id) -> dict:
    """Everything held about the person, for their access or portability request (format
    `voxloop.person/1`, see docs/api.md). Admins and analysts at the top unit; audited."""
    return erasure.export_person(actor=actor(request), contact_id=contact_id)


@router.post("/contacts/batch", response=ImportOut, url_name="contact_batch")
def upsert_contacts(request: HttpRequest, payload: ContactBatch) -> dict:
    """Create or update up to 1,000 contacts (matched by external_id, else email). Bad rows
    are listed by position (`line`, from 1) and skipped; the others are kept."""
    report = import_records(actor=actor(request), records=payload.contacts)
    return {**asdict(report), "errors": [asdict(e) for e in report.errors]}


@router.post("/contacts/{int:contact_id}/consent", response=ContactOut, url_name="contact_consent")
def set_consent(request: HttpRequest, contact_id: Id, payload: ConsentInput) -> Contact:
    scope = actor(request)
    contact = selectors.contact(scope, contact_id)
    return services.set_consent(
        actor=scope, contact=contact, channel=payload.channel, allowed=payload.allowed
    )


@router.post("/customers/status", response=StatusReportOut, url_name="customer_status")
def record_statuses(request: HttpRequest, payload: StatusBatch) -> dict:
    """Customers who churned or came back (from a CRM), up to 1,000 per call; the history
    feeds churn rates. Bad rows are listed by position and skipped; the others are kept."""
    report = lifecycle.record_statuses(actor=actor(request), records=payload.changes)
    return {**asdict(report), "errors": [asdict(e) for e in report.errors]}


@router.get("/interaction-types", response=list[InteractionTypeOut], url_name="interaction_types")
def list_interaction_types(
    request: HttpRequest, query: Query[InteractionTypeList]
) -> list[InteractionType]:
    """Types owned in your subtree and above it (company-wide ones), archived ones too."""
    return listing(request, selectors.interaction_types(actor(request)), query)


@router.post(
    "/interaction-types", response={201: InteractionTypeOut}, url_name="interaction_type_create"
)
def create_interaction_type(request: HttpRequest, payload: InteractionTypeIn) -> Status:
    """A type owned by a unit of your subtree (admins); company wide only from the root."""
    scope = actor(request)
    unit = _unit(scope, payload.unit_code)
    kind = services.define_interaction_type(
        actor=scope, unit=unit, key=payload.key, name=payload.name
    )
    return Status(201, kind)


@router.get(
    "/interaction-types/{int:type_id}", response=InteractionTypeOut, url_name="interaction_type"
)
def get_interaction_type(request: HttpRequest, type_id: Id) -> InteractionType:
    return selectors.interaction_type(actor(request), type_id)


@router.patch(
    "/interaction-types/{int:type_id}",
    response=InteractionTypeOut,
    url_name="interaction_type_update",
)
def update_interaction_type(
    request: HttpRequest, type_id: Id, payload: InteractionTypePatch
) -> InteractionType:
    """Rename, archive or restore a type owned in your subtree (admins)."""
    scope = actor(request)
    kind = selectors.interaction_type(scope, type_id)
    return services.update_interaction_type(
        actor=scope, kind=kind, name=payload.name, archived=payload.archived
    )


@router.delete(
    "/interaction-types/{int:type_id}",
    response={204: None},
    url_name="interaction_type_delete",
)
def delete_interaction_type(request: HttpRequest, type_id: Id) -> Status:
    """Delete a type owned in your subtree that no event or trigger uses (else 409: archive
    it)."""
    scope = actor(request)
    kind = selectors.interaction_type(scope, type_id)
    services.delete_interaction_type(actor=scope, kind=kind)
    return Status(204, None)


@router.post("/interactions/batch", response=InteractionReportOut, url_name="interaction_batch")
def record_interactions(request: HttpRequest, payload: InteractionBatch) -> dict:
    """Up to 1,000 events: {type, contact | contact_email, unit, staff, channel, external_id,
    occurred_at, attributes}. An external_id already sent counts as a duplicate."""
    report = interactions.record_interactions(actor=actor(request), records=payload.interactions)
    return {
        "rows": report.rows,
        "created": report.created,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "errors": [asdict(e) for e in report.errors],
    }


@router.get("/segments", response=list[SegmentOut], url_name="segments")
def list_segments(request: HttpRequest, query: Query[SegmentList]) -> list[Segment]:
    return listing(request, selectors.visible_segments(actor(request)), query)


@router.post("/segments", response={201: SegmentOut}, url_name="segment_create")
def create_segment(request: HttpRequest, payload: SegmentIn) -> Status:
    scope = actor(request)
    segment = services.save_segment(
        actor=scope,
        unit=_unit(scope, payload.unit_code),
        name=payload.name,
        filters=payload.filters,
    )
    return Status(201, segment)


@router.get("/segments/{int:segment_id}", response=SegmentOut, url_name="segment")
def get_segment(request: HttpRequest, segment_id: Id) -> Segment:
    return selectors.segment(actor(request), segment_id)


@router.patch("/segments/{int:segment_id}", response=SegmentOut, url_name="segment_update")
def update_segment(request: HttpRequest, segment_id: Id, payload: SegmentPatch) -> Segment:
    """Rename a segment of your subtree, change its filters or its owner."""
    scope = actor(request)
    segment = selectors.segment(scope, segment_id)
    changes = payload.changes()
    unit = _unit(scope, changes["unit_code"]) if "unit_code" in changes else segment.unit
    return services.save_segment(
        actor=scope,
        unit=unit,
        name=changes.get("name", segment.name),
        filters=changes.get("filters", segment.filters),
        segment=segment,
    )


@router.delete("/segments/{int:segment_id}", response={204: None}, url_name="segment_delete")
def delete_segment(request: HttpRequest, segment_id: Id) -> Status:
    """Delete a segment of your subtree that no campaign used (else 409)."""
    scope = actor(request)
    services.delete_segment(actor=scope, segment=selectors.segment(scope, segment_id))
    return Status(204, None)
