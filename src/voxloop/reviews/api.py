"""Online reviews over the API: reviews and their figures (scoped like the pages), replies,
and review sources for admins (credentials write-only). The same services and selectors as
the pages."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop import sealing
from voxloop.api.context import actor
from voxloop.api.pages import page
from voxloop.api.schemas import Id
from voxloop.errors import InvalidInput
from voxloop.reviews import benchmark, figures, replies, selectors, services
from voxloop.reviews.models import Review, ReviewSource, SourceLocation
from voxloop.reviews.schemas import (
    BenchmarkOut,
    BenchmarkQuery,
    LocationIn,
    LocationOut,
    MetricsOut,
    MetricsQuery,
    ReplyIn,
    ReplyOut,
    ReviewFilterQuery,
    ReviewImportOut,
    ReviewOut,
    ReviewPage,
    SourceIn,
    SourceOut,
    SourcePatch,
)
from voxloop.reviews.selectors import ReviewFilters
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability
from voxloop.uploads import uploaded_file

router = Router(tags=["reviews"])
IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def _review_out(r: Review) -> dict:
    return {
        "id": r.pk,
        "source_id": r.source_id,
        "source_kind": r.source.kind,
        "unit_id": r.unit_id,
        "unit_code": r.unit.code,
        "external_id": r.external_id,
        "author_name": r.author_name,
        "rating": r.rating,
        "title": r.title,
        "text": r.text,
        "language": r.language,
        "posted_at": r.posted_at,
        "edited_at": r.edited_at,
        "reply_text": r.reply_text,
        "reply_at": r.reply_at,
        "url": r.url,
        "removed": r.is_removed,
        "sentiment": r.sentiment,
        "themes": [
            {"key": t["key"], "name": t.get("name", ""), "sentiment": t.get("sentiment", "")}
            for t in r.themes or []
        ],
    }


def _filters(q: ReviewFilterQuery | MetricsQuery) -> ReviewFilters:
    if q.start and q.end and q.end < q.start:
        raise InvalidInput("The end comes before the start.", "end")
    return ReviewFilters(
        source_id=q.source_id,
        unit_id=q.unit_id,
        rating=q.rating,
        sentiment=q.sentiment or "",
        theme=q.theme or "",
        start=q.start,
        end=q.end,
        removed=getattr(q, "removed", False),
    )


@router.get("/reviews", response=ReviewPage, url_name="reviews")
def list_reviews(request: HttpRequest, filters: Query[ReviewFilterQuery]) -> dict:
    """Reviews of your subtree, newest first."""
    reviews = selectors.visible_reviews(actor(request), _filters(filters))
    return page(reviews, filters, _review_out)


@router.get("/reviews/metrics", response=MetricsOut, url_name="review_metrics")
def review_metrics(request: HttpRequest, query: Query[MetricsQuery]) -> dict:
    """Average rating with its interval, distribution, volume, share of 1–2 stars, response
    rate and time to reply, sentiment and themes; by unit, source or month."""
    scope = actor(request)
    chosen = _filters(query)
    return {
        "summary": figures.summary(scope, chosen),
        "breakdown": figures.breakdown(scope, chosen, query.by),
    }


@router.get("/reviews/benchmark", response=BenchmarkOut, url_name="review_benchmark")
def review_benchmark(request: HttpRequest, query: Query[BenchmarkQuery]) -> dict:
    """My locations against competitors' listings in a region: ranked ratings with intervals,
    the gap and its test, the themes where we lose, the gap by month."""
    if query.start and query.end and query.end < query.start:
        raise InvalidInput("The end comes before the start.", "end")
    return benchmark.benchmark(
        actor(request), ReviewFilters(unit_id=query.unit_id, start=query.start, end=query.end)
    )


@router.get("/reviews/{int:review_id}", response=ReviewOut, url_name="review")
def get_review(request: HttpRequest, review_id: Id) -> dict:
    return _review_out(selectors.review(actor(request), review_id))


@router.post("/reviews/{int:review_id}/replies", response={201: ReplyOut}, url_name="review_reply")
def reply_to_review(request: HttpRequest, review_id: Id, payload: ReplyIn) -> Status:
    """Posted through the provider when it takes replies; else kept, with the page to post it
    on by hand (`open_url`)."""
    scope = actor(request)
    scope.require(Capability.ACT)
    review = selectors.review(scope, review_id)
    outcome = replies.send_reply(
        scope=scope, review=review, text=payload.text, case_id=payload.case_id
    )
    return Status(
        201,
        {
            "id": outcome.reply.pk,
            "status": outcome.reply.status,
            "posted": outcome.posted,
            "open_url": outcome.open_url,
            "error": outcome.reply.error,
        },
    )


def _location_out(location: SourceLocation) -> dict:
    return {
        "id": location.pk,
        "external_id": location.external_id,
        "unit_id": location.unit_id,
        "unit_code": location.unit.code,
        "label": location.label,
        "public_url": location.public_url,
    }


def _source_out(source: ReviewSource) -> dict:
    return {
        "id": source.pk,
        "name": source.name,
        "kind": source.kind,
        "unit_id": source.unit_id,
        "unit_code": source.unit.code,
        "interval_minutes": source.interval_minutes,
        "base_url": source.base_url,
        "is_active": source.is_active,
        "is_competitor": source.is_competitor,
        "credentials_set": sorted(sealing.unseal(source.credentials)),
        "last_fetched_at": source.last_fetched_at,
        "last_error": source.last_error,
        "locations": [_location_out(loc) for loc in selectors.locations(source)],
    }


@router.get("/review-sources", response=list[SourceOut], url_name="review_sources")
def list_sources(request: HttpRequest) -> list[dict]:
    return [_source_out(s) for s in selectors.sources(actor(request))]


@router.post("/review-sources", response={201: SourceOut}, url_name="review_source_create")
def create_source(request: HttpRequest, payload: SourceIn) -> Status:
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    unit = tenancy_selectors.unit_named_by(scope, payload.unit_code, "unit_code")
    source = services.create_source(
        scope=scope,
        unit=unit,
        name=payload.name,
        kind=payload.kind,
        credentials=payload.credentials,
        interval_minutes=payload.interval_minutes,
        base_url=payload.base_url,
        is_competitor=payload.is_competitor,
    )
    return Status(201, _source_out(selectors.source(scope, source.pk)))


@router.get("/review-sources/{int:source_id}", response=SourceOut, url_name="review_source")
def get_source(request: HttpRequest, source_id: Id) -> dict:
    return _source_out(selectors.source(actor(request), source_id))


@router.patch(
    "/review-sources/{int:source_id}", response=SourceOut, url_name="review_source_update"
)
def update_source(request: HttpRequest, source_id: Id, payload: SourcePatch) -> dict:
    scope = actor(request)
    source = selectors.source(scope, source_id)
    services.update_source(scope=scope, source=source, **payload.changes())
    return _source_out(selectors.source(scope, source_id))


@router.delete(
    "/review-sources/{int:source_id}", response={204: None}, url_name="review_source_delete"
)
def delete_source(request: HttpRequest, source_id: Id) -> Status:
    scope = actor(request)
    services.delete_source(scope=scope, source=selectors.source(scope, source_id))
    return Status(204, None)


@router.post(
    "/review-sources/{int:source_id}/locations",
    response={201: LocationOut},
    url_name="review_source_location",
)
def map_location(request: HttpRequest, source_id: Id, payload: LocationIn) -> Status:
    """Map a provider's location or app id to a unit (again: moves it and its reviews)."""
    scope = actor(request)
    source = selectors.source(scope, source_id)
    unit = tenancy_selectors.unit_named_by(scope, payload.unit_code, "unit_code")
    location = services.set_location(
        scope=scope,
        source=source,
        external_id=payload.external_id,
        unit=unit,
        label=payload.label,
        public_url=payload.public_url,
    )
    return Status(201, _location_out(location))


@router.delete(
    "/review-source-locations/{int:location_id}",
    response={204: None},
    url_name="review_source_location_delete",
)
def remove_location(request: HttpRequest, location_id: Id) -> Status:
    scope = actor(request)
    services.remove_location(scope=scope, location=selectors.location(scope, location_id))
    return Status(204, None)


@router.post(
    "/review-sources/{int:source_id}/import",
    response=ReviewImportOut,
    url_name="review_source_import",
    openapi_extra=IMPORT_BODY,
)
def import_reviews(request: HttpRequest, source_id: Id) -> dict:
    """Reviews from a CSV, XLSX or JSON file into a file source (docs/reviews.md)."""
    scope = actor(request)
    source = selectors.source(scope, source_id)  # admins only, before the upload is read
    name, data, _ = uploaded_file(request)
    report = services.import_file(scope=scope, source=source, name=name, data=data)
    return {
        "new": report.new,
        "edited": report.edited,
        "unchanged": report.unchanged,
        "removed": report.removed,
        "problems": [asdict(p) for p in report.problems[:500]],
    }
