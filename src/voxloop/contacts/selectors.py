"""Scoped reads of contacts and accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from voxloop.contacts.models import Account, Contact, Interaction, InteractionType, Segment
from voxloop.contacts.phones import digits_of
from voxloop.errors import NotFound
from voxloop.tenancy.models import ancestor_paths, subtree_q
from voxloop.tenancy.scoping import Capability, Scope


def _people(organization_id: int | None = None) -> QuerySet[Contact]:
    """Contacts who are still someone: an erased contact is a row of counts, no longer a
    person anyone may list, find, segment, invite or link an answer to."""
    contacts = Contact.objects.filter(erased_at__isnull=True)
    return contacts if organization_id is None else contacts.filter(organization_id=organization_id)


def visible_contacts(scope: Scope, search: str = "") -> QuerySet[Contact]:
    """Contacts one by one (names, addresses): roles that read records."""
    scope.require(Capability.READ_RECORDS)
    contacts = scope.filter(_people(), path_field="unit_path")
    if search:
        contacts = contacts.filter(
            Q(email__iexact=search) | Q(external_id=search) | Q(last_name__icontains=search)
        )
    return contacts.select_related("home_unit", "account")


def visible_accounts(scope: Scope) -> QuerySet[Account]:
    scope.require(Capability.READ_RECORDS)
    return _accounts_in_scope(scope).select_related("owner")


def _contacts_in_scope(scope: Scope) -> QuerySet[Contact]:
    """For counts only (every role that views): never handed out row by row."""
    return scope.filter(Contact.objects.all(), path_field="unit_path")


def _accounts_in_scope(scope: Scope) -> QuerySet[Account]:
    return scope.filter(Account.objects.all(), path_field="unit_path")


def contact_count(scope: Scope) -> int:
    return _contacts_in_scope(scope).count()


def contact_in_org(organization_id: int, contact_id: int | None) -> Contact | None:
    """Unscoped by design: a signed personal survey link names its contact; the survey's
    organisation bounds the lookup so a link can never reach another tenant's contact."""
    if contact_id is None:
        return None
    return _people(organization_id).filter(pk=contact_id).first()


def contact_by_external_id(organization_id: int, external_id: str) -> Contact | None:
    """Unscoped by design, like contact_in_org: a customer's site names its own user; the
    widget's organisation bounds the lookup."""
    if not external_id:
        return None
    return _people(organization_id).filter(external_id=external_id).first()


def contacts_with_phone(organization_id: int, phone_e164: str) -> list[Contact]:
    """Unscoped by design, like contact_in_org: an inbound text names only its number; the
    callback's organisation bounds the lookup. Finds the number however it was stored."""
    return list(
        _people(organization_id)
        .annotate(phone_digits=digits_of("phone"))
        .filter(phone_digits__in=[phone_e164, phone_e164.removeprefix("+")])
    )


def contact(scope: Scope, contact_id: int) -> Contact:
    return scope.get(visible_contacts(scope), path_field="unit_path", pk=contact_id)


def interaction_types(scope: Scope, archived: bool | None = None) -> QuerySet[InteractionType]:
    """Types owned in the subtree, and those of the units above it (a company-wide type
    applies everywhere); `archived` False or True keeps only live or only archived ones."""
    types = InteractionType.objects.filter(organization_id=scope.organization_id).filter(
        Q(unit_path__in=ancestor_paths(scope.unit_path)) | subtree_q(scope.unit_path, "unit_path")
    )
    if archived is not None:
        types = types.filter(archived_at__isnull=not archived)
    return types.select_related("unit").order_by("name", "pk")


def interaction_type(scope: Scope, type_id: int) -> InteractionType:
    found = interaction_types(scope).filter(pk=type_id).first() if abs(type_id) < 2**63 else None
    if found is None:
        raise NotFound("No such interaction type.")
    return found


def interaction_type_at(
    types: list[InteractionType], key: str, path: str
) -> InteractionType | None:
    """Of the given types, the live one with this key that applies at the unit with this path
    (owned at it or above it), or None. A key is used once along any path from the root, so
    there is at most one."""
    for kind in types:
        if kind.key == key and kind.archived_at is None and path.startswith(kind.unit_path):
            return kind
    return None


def visible_segments(scope: Scope) -> QuerySet[Segment]:
    """Segments owned in the subtree, and those of units above it (a company-wide segment is
    usable everywhere; its members are still only the caller's own contacts)."""
    return (
        Segment.objects.filter(organization_id=scope.organization_id)
        .filter(
            Q(unit_path__in=ancestor_paths(scope.unit_path))
            | subtree_q(scope.unit_path, "unit_path")
        )
        .select_related("unit")
    )


def attribute_names(scope: Scope, sample: int = 500) -> list[str]:
    """The attribute names the latest contacts in the scope carry (for the segment builder)."""
    rows = _contacts_in_scope(scope).order_by("-pk").values_list("attributes", flat=True)[:sample]
    return sorted({name for attributes in rows if attributes for name in attributes})


def account_attribute_names(scope: Scope, sample: int = 500) -> list[str]:
    """The attribute names the latest accounts in the scope carry (for the segment builder)."""
    rows = _accounts_in_scope(scope).order_by("-pk").values_list("attributes", flat=True)[:sample]
    return sorted({name for attributes in rows if attributes for name in attributes})


def interaction_attribute_names(scope: Scope, sample: int = 500) -> list[str]:
    """The attribute names the latest interaction events in the scope carry."""
    events = scope.filter(Interaction.objects.all(), path_field="unit_path").order_by("-pk")
    rows = events.values_list("attributes", flat=True)[:sample]
    return sorted({name for attributes in rows if attributes for name in attributes})


def matching_count(scope: Scope, filters: object) -> int:
    """How many contacts in the scope the (unsaved) filters would hold: the builder's live
    count. Filters are checked first: a bad one is InvalidInput naming it."""
    from voxloop.contacts.segments import clean_filters, segment_q

    tree = clean_filters(scope.organization_id, filters)
    contacts = _contacts_in_scope(scope).filter(erased_at__isnull=True)
    return contacts.filter(segment_q(scope.organization_id, tree)).count()


def segment(scope: Scope, segment_id: int) -> Segment:
    found = visible_segments(scope).filter(pk=segment_id).first()
    if found is None:
        raise NotFound("No such segment.", field="segment")
    return found


def segment_members(scope: Scope, segment_id: int) -> QuerySet[Contact]:
    from voxloop.contacts.segments import segment_contacts

    return segment_contacts(visible_contacts(scope), segment(scope, segment_id))


def segment_member_ids(scope: Scope, segment_id: int) -> QuerySet[Contact, int]:
    """The ids of a visible segment's members anywhere in the organisation, as a subquery to
    narrow rows the caller may already read (a dashboard's responses). Not scoped by home unit
    on purpose: a customer of another store who answered at this one is still in the segment;
    no contact row leaves this query."""
    from voxloop.contacts.segments import segment_contacts

    found = segment(scope, segment_id)
    return segment_contacts(_people(scope.organization_id), found).values_list("id", flat=True)


def segments_holding(
    organization_id: int, segment_ids: Iterable[int], contact_ids: Iterable[int]
) -> dict[int, set[int]]:
    """Which of these contacts each of these segments of the organisation holds (one bounded
    query per segment): how outreach finds a contact's tier. Unscoped: the callers are the
    send batches, which already hold the contacts."""
    from voxloop.contacts.segments import segment_contacts

    wanted = list(contact_ids)
    held: dict[int, set[int]] = {}
    people = _people(organization_id).filter(pk__in=wanted)
    for found in Segment.objects.filter(organization_id=organization_id, pk__in=list(segment_ids)):
        held[found.pk] = set(segment_contacts(people, found).values_list("id", flat=True))
    return held


def churn_history_start(scope: Scope) -> datetime | None:
    """When the organisation's first churn was recorded, or None if never: until then a churn
    rate of 0% would only mean nobody tells us."""
    from voxloop.contacts.models import CustomerStatus, StatusChange

    changes = StatusChange.objects.filter(
        organization_id=scope.organization_id, status=CustomerStatus.CHURNED
    )
    return changes.order_by("changed_at").values_list("changed_at", flat=True).first()


def churn_counts(
    scope: Scope,
    since: datetime,
    until: datetime,
    unit_path: str = "",
    segment_id: int | None = None,
    kind: str = "contact",
    by: str = "",
) -> dict[str, tuple[int, int]]:
    """(customers at `since`, of whom churned before `until`), in the scope (and
    `unit_path`'s subtree, and the segment for contacts); `by="nps_group"` splits them by the
    group of their latest answer. A customer counts from the day after `customer_since` (else
    after the day the row was created) and only when active as the period began.

    Periods of whole days (the dashboard's) read the churn rollup of the node (decision
    0048: bounded by days, not customers); a segment, which no rollup knows, reads the
    customers (`churn_counts_read`)."""
    from voxloop.contacts import churn_rollup

    whole_days = since.time() == time.min and until.time() == time.min
    if not (segment_id and kind == "contact") and whole_days:
        split = churn_rollup.counts(
            scope.organization_id, unit_path or scope.unit_path, kind, since.date(), until.date()
        )
        if by == "nps_group" and kind == "contact":
            return split
        return {"": (sum(r for r, _ in split.values()), sum(c for _, c in split.values()))}
    return churn_counts_read(scope, since, until, unit_path, segment_id, kind, by)


def churn_counts_read(
    scope: Scope,
    since: datetime,
    until: datetime,
    unit_path: str = "",
    segment_id: int | None = None,
    kind: str = "contact",
    by: str = "",
) -> dict[str, tuple[int, int]]:
    """`churn_counts` read customer by customer with their status history (O(customers in
    scope)): for segments, and the reference the rollup is tested against."""
    from voxloop.contacts.models import CustomerStatus, StatusChange

    tz = timezone.get_current_timezone()
    # Erased contacts too: who was a customer, and who left, does not change by forgetting
    # who they were.
    customers = _contacts_in_scope(scope) if kind == "contact" else _accounts_in_scope(scope)
    if unit_path:
        customers = customers.filter(subtree_q(unit_path, "unit_path"))
    if segment_id and kind == "contact":
        customers = customers.filter(pk__in=segment_member_ids(scope, segment_id))
    history = StatusChange.objects.filter(**{kind: OuterRef("pk")})
    status_then = history.filter(changed_at__lt=since).order_by("-changed_at", "-id")
    churned_in = history.filter(
        status=CustomerStatus.CHURNED, changed_at__gte=since, changed_at__lt=until
    )
    customers = (
        customers.annotate(
            joined=Coalesce("customer_since", TruncDate("created_at", tzinfo=tz)),
            status_then=Subquery(status_then.values("status")[:1]),
            churned_in=Exists(churned_in),
        )
        .filter(joined__lt=timezone.localtime(since, tz).date())
        .filter(Q(status_then__isnull=True) | Q(status_then=CustomerStatus.ACTIVE))
    )
    at_risk, churned = Count("pk"), Count("pk", filter=Q(churned_in=True))
    if by != "nps_group" or kind != "contact":
        row = customers.aggregate(at_risk=at_risk, churned=churned)
        return {"": (row["at_risk"], row["churned"])}
    rows = customers.values("last_nps_group").annotate(at_risk=at_risk, churned=churned).order_by()
    return {r["last_nps_group"]: (r["at_risk"], r["churned"]) for r in rows}


# --- a person's data (privacy: subject access export, retention) -------------------------


def person_record(contact: Contact) -> dict[str, Any]:
    """Everything the contacts app holds about one contact, for their own copy."""
    from voxloop.contacts.models import Interaction, StatusChange

    interactions = (
        Interaction.objects.filter(contact=contact).select_related("type", "unit").order_by("pk")
    )
    history = StatusChange.objects.filter(contact=contact).order_by("changed_at", "pk")
    return {
        "contact": {
            "id": contact.pk,
            "external_id": contact.external_id,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "phone": contact.phone,
            "locale": contact.locale,
            "timezone": contact.timezone,
            "home_unit": {"code": contact.home_unit.code, "name": contact.home_unit.name},
            "account": (
                {"external_id": contact.account.external_id, "name": contact.account.name}
                if contact.account is not None
                else None
            ),
            "status": contact.status,
            "churned_at": contact.churned_at,
            "customer_since": contact.customer_since,
            "last_response_at": contact.last_response_at,
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        },
        "attributes": contact.attributes,
        "consent": {
            "email": contact.consent_email,
            "sms": contact.consent_sms,
            "unsubscribed_at": contact.unsubscribed_at,
            "email_invalid": contact.email_invalid,
            "phone_invalid": contact.phone_invalid,
        },
        "interactions": [
            {
                "type": i.type.key,
                "occurred_at": i.occurred_at,
                "channel": i.channel,
                "unit_code": i.unit.code if i.unit is not None else None,
                "external_id": i.external_id,
                "attributes": i.attributes,
            }
            for i in interactions
        ],
        "status_history": [
            {"status": c.status, "changed_at": c.changed_at, "source": c.source, "reason": c.reason}
            for c in history
        ],
    }


def people_by_ids(organization_id: int, contact_ids: Iterable[int]) -> QuerySet[Contact]:
    """Contacts not yet erased among these ids (system reads: retention)."""
    return _people(organization_id).filter(pk__in=list(contact_ids)).order_by("pk")


def inactive_contact_ids(
    organization_id: int, before: datetime, busy: Iterable[QuerySet[Any, int]] = ()
) -> QuerySet[Contact, int]:
    """Contacts with no sign of life since `before`: created, changed, answered and interacted
    with before it, and in none of the `busy` id subqueries (other apps' recent activity)."""
    from voxloop.contacts.models import Interaction

    recent = Interaction.objects.filter(contact=OuterRef("pk"), occurred_at__gte=before)
    contacts = (
        _people(organization_id)
        .filter(created_at__lt=before, updated_at__lt=before)
        .filter(Q(last_response_at__isnull=True) | Q(last_response_at__lt=before))
        .exclude(Exists(recent))
    )
    for ids in busy:
        contacts = contacts.exclude(pk__in=ids)
    return contacts.order_by("pk").values_list("pk", flat=True)


def audience(
    organization_id: int, unit_path: str, filters: list | dict | None
) -> QuerySet[Contact]:
    """The contacts of a unit's subtree (not erased), narrowed by a segment's filters: who an
    outreach campaign is sent to. Unscoped: the campaign's unit bounds it."""
    from voxloop.contacts.segments import segment_q

    contacts = Contact.objects.filter(
        subtree_q(unit_path, "unit_path"), organization_id=organization_id, erased_at__isnull=True
    )
    if filters:
        contacts = contacts.filter(segment_q(organization_id, filters))
    return contacts


def interactions_by_ids(organization_id: int, interaction_ids: list[int]) -> list[Interaction]:
    """These interaction events of the organisation, with their contact (the triggers)."""
    return list(
        Interaction.objects.filter(
            organization_id=organization_id, pk__in=interaction_ids
        ).select_related("contact")
    )


def people_of(organization_id: int) -> QuerySet[Contact]:
    """Every contact of the organisation not erased, unscoped (system work: the demo)."""
    return _people(organization_id)


# --- health scores (system work: the health app keeps figures, not these rows) -----------


def accounts_of(organization_id: int) -> QuerySet[Account]:
    """Every account of the organisation, unscoped (system work: health scores, the demo)."""
    return Account.objects.filter(organization_id=organization_id).order_by("pk")


def account_in_scope(scope: Scope, account_id: int) -> Account:
    """One account the member may read, or NotFound (outside the subtree or the tenant)."""
    return scope.get(visible_accounts(scope), path_field="unit_path", pk=account_id)


def account_ids_in_scope(scope: Scope) -> QuerySet[Account, int]:
    """The ids of the accounts in the scope, as a subquery (figures per account)."""
    return _accounts_in_scope(scope).values_list("pk", flat=True)


def interaction_counts_of_contacts(
    organization_id: int, contact_ids: list[int], type_key: str, since: datetime, until: datetime
) -> dict[int, int]:
    """Per contact, how many events of the type (by key) happened in [since, until)."""
    rows = (
        Interaction.objects.filter(
            organization_id=organization_id,
            contact_id__in=contact_ids,
            type__key=type_key,
            occurred_at__gte=since,
            occurred_at__lt=until,
        )
        .values("contact_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["contact_id"]: r["n"] for r in rows}


def account_outcomes(
    organization_id: int, since: datetime, until: datetime
) -> dict[int, datetime | None]:
    """Accounts that were customers and active when `since` began: when each churned before
    `until`, or None for those who stayed (renewed). The history, not the current status, so
    an account won back later still counts as lost in the period."""
    from voxloop.contacts.models import CustomerStatus, StatusChange

    tz = timezone.get_current_timezone()
    history = StatusChange.objects.filter(account=OuterRef("pk"))
    status_then = history.filter(changed_at__lt=since).order_by("-changed_at", "-id")
    churned = history.filter(
        status=CustomerStatus.CHURNED, changed_at__gte=since, changed_at__lt=until
    ).order_by("changed_at")
    rows = (
        Account.objects.filter(organization_id=organization_id)
        .annotate(
            joined=Coalesce("customer_since", TruncDate("created_at", tzinfo=tz)),
            status_then=Subquery(status_then.values("status")[:1]),
            left_at=Subquery(churned.values("changed_at")[:1]),
        )
        .filter(joined__lt=timezone.localtime(since, tz).date())
        .filter(Q(status_then__isnull=True) | Q(status_then=CustomerStatus.ACTIVE))
        .values_list("pk", "left_at")
    )
    return dict(rows)


def account_ids_of_contacts(contact_ids: QuerySet[Contact, int]) -> QuerySet[Contact, int]:
    """The accounts (ids) these contacts (a subquery of ids) work at: a persona or tier of
    accounts is the accounts of the segment's members."""
    return (
        Contact.objects.filter(pk__in=contact_ids, account__isnull=False)
        .values_list("account_id", flat=True)
        .distinct()
    )


# --- interactions as figures (journeys: touchpoint volume, stage funnel) ---------------------


def _interactions_counted(
    scope: Scope,
    type_ids: Iterable[int],
    since: datetime,
    until: datetime,
    unit_path: str = "",
    segment_id: int | None = None,
) -> QuerySet[Interaction]:
    """Interactions of these types that happened in the subtree in [since, until): for counts
    only, never listed (every role that views figures)."""
    scope.require(Capability.VIEW)
    rows = scope.filter(Interaction.objects.all(), path_field="unit_path").filter(
        type_id__in=list(type_ids), occurred_at__gte=since, occurred_at__lt=until
    )
    if unit_path:
        rows = rows.filter(subtree_q(unit_path, "unit_path"))
    if segment_id:
        rows = rows.filter(contact_id__in=segment_member_ids(scope, segment_id))
    return rows


def interaction_counts(
    scope: Scope,
    type_ids: Iterable[int],
    since: datetime,
    until: datetime,
    unit_path: str = "",
    segment_id: int | None = None,
) -> dict[int, tuple[int, int]]:
    """(interactions, distinct contacts) per type in the scope and period."""
    rows = (
        _interactions_counted(scope, type_ids, since, until, unit_path, segment_id)
        .order_by()
        .values("type_id")
        .annotate(n=Count("pk"), people=Count("contact_id", distinct=True))
    )
    return {row["type_id"]: (row["n"], row["people"]) for row in rows}


def first_interactions(
    scope: Scope,
    type_ids: Iterable[int],
    since: datetime,
    until: datetime,
    unit_path: str = "",
    segment_id: int | None = None,
    limit: int = 500_000,
) -> list[tuple[int, int, datetime]]:
    """(contact id, type id, first time) of each contact's first interaction of each type in
    the scope and period: ids and times only, for funnels and durations; at most `limit`."""
    from django.db.models import Min

    rows = (
        _interactions_counted(scope, type_ids, since, until, unit_path, segment_id)
        .order_by()
        .values("contact_id", "type_id")
        .annotate(first=Min("occurred_at"))
        .values_list("contact_id", "type_id", "first")
    )
    return list(rows[:limit])


def churned_among(scope: Scope, contact_ids: Iterable[int]) -> set[int]:
    """Which of these contacts (in the scope) have churned: ids only, for figures."""
    from voxloop.contacts.models import CustomerStatus

    ids, found = list(contact_ids), set()
    churned = _contacts_in_scope(scope).filter(status=CustomerStatus.CHURNED)
    for start in range(0, len(ids), 5000):  # bounded IN lists (SQLite's variable limit)
        found |= set(churned.filter(pk__in=ids[start : start + 5000]).values_list("pk", flat=True))
    return found
