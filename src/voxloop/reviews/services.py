"""Every write staff make to review sources, their location mappings, file imports and the
author names they erase; each checks the role and the subtree and is audited. Replies are in
`replies.py`; what fetches write is in `fetching.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from voxloop import sealing
from voxloop.errors import InvalidInput, NotFound
from voxloop.reviews import analysing, fetching
from voxloop.reviews.connectors import connector
from voxloop.reviews.connectors.files import RowProblem, reviews_in
from voxloop.reviews.models import (
    InvitationFollowed,
    Review,
    ReviewSource,
    ReviewVersion,
    SourceKind,
    SourceLocation,
)
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

MIN_INTERVAL, MAX_INTERVAL = 15, 7 * 24 * 60


def _require_admin(scope: Scope, path: str) -> None:
    scope.require(Capability.CONFIGURE)
    if not scope.covers_path(path):
        raise NotFound("No such review source.")


def credential_fields(*, kind: str) -> tuple[str, ...]:
    found = connector(kind)
    return found.credential_fields if found else ()


def _clean_fields(kind: str, name: str, interval_minutes: int, base_url: str) -> None:
    if kind not in SourceKind.values:
        raise InvalidInput(f"Unknown connector: use one of {', '.join(SourceKind.values)}.", "kind")
    if not name.strip():
        raise InvalidInput("A source needs a name.", "name")
    if not MIN_INTERVAL <= interval_minutes <= MAX_INTERVAL:
        raise InvalidInput(
            f"Fetch every {MIN_INTERVAL} to {MAX_INTERVAL} minutes.", "interval_minutes"
        )
    if base_url:
        from voxloop.outbound import url_problem

        problem = url_problem(base_url)
        if problem:
            raise InvalidInput(problem, "base_url")


def _clean_credentials(kind: str, given: dict[str, str], stored: dict[str, str]) -> dict:
    """Blank fields keep what is stored (forms never show a secret back)."""
    allowed = credential_fields(kind=kind)
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise InvalidInput(f"Unknown credential: {unknown[0]}.", f"credentials.{unknown[0]}")
    merged = {k: v for k, v in stored.items() if k in allowed}
    merged.update({k: str(v).strip() for k, v in given.items() if str(v).strip()})
    return merged


def create_source(
    *,
    scope: Scope,
    unit: OrgUnit,
    name: str,
    kind: str,
    credentials: dict[str, str] | None = None,
    interval_minutes: int = 60,
    base_url: str = "",
    is_competitor: bool = False,
) -> ReviewSource:
    _require_admin(scope, unit.path)
    _clean_fields(kind, name, interval_minutes, base_url)
    sealed = sealing.seal(_clean_credentials(kind, credentials or {}, {}))
    with transaction.atomic():
        source = ReviewSource.objects.create(
            organization_id=scope.organization_id,
            unit=unit,
            unit_path=unit.path,
            name=name.strip()[:200],
            kind=kind,
            credentials=sealed,
            base_url=base_url.strip(),
            interval_minutes=interval_minutes,
            is_competitor=is_competitor,
            next_fetch_at=timezone.now(),
        )
        record_audit(
            actor=scope,
            action="reviews.source.create",
            target=source,
            changes={"name": source.name, "kind": kind},
        )
    return source


def update_source(
    *,
    scope: Scope,
    source: ReviewSource,
    name: str | None = None,
    credentials: dict[str, str] | None = None,
    interval_minutes: int | None = None,
    base_url: str | None = None,
    is_active: bool | None = None,
    is_competitor: bool | None = None,
) -> ReviewSource:
    _require_admin(scope, source.unit_path)
    changes: dict[str, object] = {}
    new_name = source.name if name is None else name
    new_interval = source.interval_minutes if interval_minutes is None else interval_minutes
    new_base = source.base_url if base_url is None else base_url.strip()
    _clean_fields(source.kind, new_name, new_interval, new_base)
    for attr, value in (
        ("name", new_name.strip()[:200]),
        ("interval_minutes", new_interval),
        ("base_url", new_base),
        ("is_active", source.is_active if is_active is None else is_active),
        ("is_competitor", source.is_competitor if is_competitor is None else is_competitor),
    ):
        if getattr(source, attr) != value:
            changes[attr] = value
            setattr(source, attr, value)
    if credentials:
        merged = _clean_credentials(source.kind, credentials, sealing.unseal(source.credentials))
        source.credentials = sealing.seal(merged)
        changes["credentials"] = sorted(credentials)  # which were changed, never the values
    with transaction.atomic():
        source.save()
        record_audit(actor=scope, action="reviews.source.update", target=source, changes=changes)
    return source


def delete_source(*, scope: Scope, source: ReviewSource) -> None:
    """The source and every review fetched from it."""
    _require_admin(scope, source.unit_path)
    with transaction.atomic():
        record_audit(
            actor=scope,
            action="reviews.source.delete",
            target=source,
            changes={"name": source.name},
        )
        source.delete()


def set_location(
    *,
    scope: Scope,
    source: ReviewSource,
    external_id: str,
    unit: OrgUnit,
    label: str = "",
    public_url: str = "",
) -> SourceLocation:
    """Map a provider's location or app id to a unit of the source's subtree (added or moved:
    the reviews already fetched for it move along)."""
    _require_admin(scope, source.unit_path)
    external_id = external_id.strip()
    if not external_id or len(external_id) > 300:
        raise InvalidInput("The provider's id has 1 to 300 characters.", "external_id")
    if not (
        unit.organization_id == source.organization_id and unit.path.startswith(source.unit_path)
    ):
        raise InvalidInput("Map to a unit under the source's unit.", "unit_id")
    if public_url and not public_url.startswith(("https://", "http://")):
        raise InvalidInput("The public page is an http(s) address.", "public_url")
    with transaction.atomic():
        location, created = SourceLocation.objects.update_or_create(
            source=source,
            external_id=external_id,
            defaults={
                "unit": unit,
                "unit_path": unit.path,
                "label": label.strip()[:200],
                "public_url": public_url.strip()[:500],
            },
        )
        Review.objects.filter(location=location).update(unit=unit, unit_path=unit.path)
        record_audit(
            actor=scope,
            action="reviews.location.set",
            target=source,
            changes={"external_id": external_id, "unit": unit.code, "created": created},
        )
    return location


def remove_location(*, scope: Scope, location: SourceLocation) -> None:
    _require_admin(scope, location.source.unit_path)
    with transaction.atomic():
        record_audit(
            actor=scope,
            action="reviews.location.remove",
            target=location.source,
            changes={"external_id": location.external_id},
        )
        location.delete()


def fetch_now(*, scope: Scope, source: ReviewSource) -> None:
    """Ask a worker to fetch the source at once."""
    _require_admin(scope, source.unit_path)
    from voxloop.reviews.tasks import fetch_source

    ReviewSource.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    transaction.on_commit(lambda: fetch_source.enqueue(source.pk))
    record_audit(actor=scope, action="reviews.source.fetch", target=source, changes={})


@dataclass
class ImportReport:
    new: int = 0
    edited: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def import_file(
    *, scope: Scope, source: ReviewSource, name: str, data: bytes, now: datetime | None = None
) -> ImportReport:
    """Reviews from a CSV, XLSX or JSON file into a file source; rows name their location by
    the provider id mapped on the source (unmapped ones are reported). Importing the same file
    twice adds nothing."""
    _require_admin(scope, source.unit_path)
    if source.kind != SourceKind.FILE:
        raise InvalidInput("Files are imported into a file source.", "source")
    now = now or timezone.now()
    found, problems = reviews_in(name, data)
    locations = {loc.external_id: loc for loc in source.locations.all()}
    report = ImportReport(problems=problems)
    by_location: dict[str, list] = {}
    for line, item in enumerate(found, start=2):
        if item.location_id not in locations:
            report.problems.append(RowProblem(line, "location", "not mapped to a unit"))
            continue
        by_location.setdefault(item.location_id, []).append(item)
    for location_id, items in by_location.items():
        for start in range(0, len(items), 1000):
            part = items[start : start + 1000]
            stored = fetching.store(
                source=source, location=locations[location_id], items=part, now=now
            )
            analysing.announce(stored.new, now)
            report.new += len(stored.new)
            report.edited += len(stored.edited)
            report.unchanged += stored.unchanged
            report.removed += stored.removed
    ReviewSource.objects.filter(pk=source.pk).update(last_fetched_at=now)
    record_audit(
        actor=scope,
        action="reviews.import",
        target=source,
        changes={"file": name[:200], "new": report.new, "edited": report.edited},
    )
    return report


def erase_author(*, scope: Scope, review: Review) -> int:
    """Erase the author's name from this review, its earlier versions and every other review
    of the same source under the same name (a person's request under the erasure rules);
    how many reviews lost it."""
    scope.require(Capability.CONFIGURE)
    if not scope.covers_path(review.unit_path) or review.organization_id != scope.organization_id:
        raise NotFound("No such review.")
    name = review.author_name
    if not name or name == fetching.ERASED:
        return 0
    with transaction.atomic():
        targets = Review.objects.filter(source_id=review.source_id, author_name=name)
        ids = list(targets.values_list("pk", flat=True))
        targets.update(author_name=fetching.ERASED)
        ReviewVersion.objects.filter(review_id__in=ids).update(author_name=fetching.ERASED)
        record_audit(
            actor=scope, action="reviews.author.erase", target=review, changes={"reviews": len(ids)}
        )
    return len(ids)


def units_for_mapping(*, scope: Scope, source: ReviewSource) -> list[OrgUnit]:
    """Units a location of this source may be mapped to (its subtree, in the admin's scope)."""
    return list(tenancy_selectors.visible_units(scope).filter(path__startswith=source.unit_path))


INVITATION_MAX_AGE = 180 * 24 * 3600  # a review invitation's link works for half a year


def follow_invitation(*, token: str, now: datetime | None = None) -> str | None:
    """A respondent followed a review invitation (the closed loop's signed `{{review_link}}`):
    count it once per response and give the public review page of their unit or the nearest
    unit above that has one; None for a bad or expired link or when no page is known."""
    from voxloop.closedloop import services as closedloop_services

    data = closedloop_services.read_review_link(token=token, max_age=INVITATION_MAX_AGE)
    try:
        if data is None:
            return None
        organization_id, response_id = int(data["o"]), int(data["r"])
        root = tenancy_selectors.organization_root(organization_id)
        system = Scope.system(root)
        unit = tenancy_selectors.unit(system, int(data["u"])) if data.get("u") else root
    except (KeyError, TypeError, ValueError, NotFound, OrgUnit.DoesNotExist):
        return None
    page = (
        SourceLocation.objects.filter(
            source__organization_id=organization_id,
            source__is_competitor=False,
            unit_id__in=unit.ancestor_ids(),
        )
        .exclude(public_url="")
        .order_by("-unit_path", "pk")
        .values_list("public_url", flat=True)
        .first()
    )
    InvitationFollowed.objects.get_or_create(
        organization_id=organization_id,
        response_id=response_id,
        defaults={"unit": unit, "unit_path": unit.path, "followed_at": now or timezone.now()},
    )
    return page


def replay_payload(
    *,
    scope: Scope,
    source: ReviewSource,
    location: SourceLocation,
    body: dict,
    now: datetime | None = None,
) -> int:
    """Store one page of reviews recorded in the provider's own shape (what its API answered),
    through its connector's parser: how the demo is fed. The number of new reviews."""
    _require_admin(scope, source.unit_path)
    provider = connector(source.kind)
    parse = getattr(provider, "reviews_of", None)
    if parse is None:
        raise InvalidInput("This connector cannot replay a recorded page.", "kind")
    now = now or timezone.now()
    stored = fetching.store(source=source, location=location, items=parse(body), now=now)
    analysing.announce(stored.new, now)
    return len(stored.new)
