"""What can be exported in the background: per kind, who may ask, the header and the rows,
read through each owning app's scoped selectors (a manager's export holds only their units)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from voxloop.analytics import selectors as analytics_selectors
from voxloop.closedloop import selectors as case_selectors
from voxloop.contacts import selectors as contact_selectors
from voxloop.errors import Forbidden, InvalidInput
from voxloop.reviews import selectors as review_selectors
from voxloop.tenancy.scoping import Capability, Scope

Rows = tuple[Iterator[list[Any]], int | None]


@dataclass(frozen=True)
class Kind:
    label: Any
    header: list[str]
    check: Callable[[Scope], None]
    rows: Callable[[Scope, dict], Rows]


def _follow_up(scope: Scope) -> None:
    """Cases, SLA figures and contacts go to those who export or act on them (the
    non-responder list's rule): admins, analysts, managers."""
    if not (scope.can(Capability.EXPORT) or scope.can(Capability.ACT)):
        raise Forbidden("Your role does not allow exports.")


def _responses_check(scope: Scope) -> None:
    scope.require(Capability.EXPORT)


def _responses(scope: Scope, params: dict) -> Rows:
    """The dashboard's responses export, with the filters the dashboard had when asked."""
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, [str(v) for v in (values if isinstance(values, list) else [values])])
    ctx = analytics_selectors.context_from(scope, query)
    return analytics_selectors.responses_export(ctx)


CASE_HEADER = [
    "id",
    "created_at",
    "unit_code",
    "unit",
    "title",
    "status",
    "priority",
    "assignee",
    "due_at",
    "first_action_at",
    "resolved_at",
    "root_cause",
    "customer_email",
]


def _cases(scope: Scope, params: dict) -> Rows:
    _follow_up(scope)
    cases = case_selectors.visible_cases(scope, box="all", status=str(params.get("status", "")))
    since, until = _period(params)
    if since:
        cases = cases.filter(created_at__gte=since)
    if until:
        cases = cases.filter(created_at__lt=until)

    def rows() -> Iterator[list[Any]]:
        for case in cases.iterator(chunk_size=2000):
            yield [
                case.pk,
                case.created_at,
                case.unit.code,
                case.unit.name,
                case.title,
                case.status,
                case.priority,
                case.assignee.get_username() if case.assignee is not None else "",
                case.due_at,
                case.first_action_at,
                case.resolved_at,
                case.root_cause.name if case.root_cause is not None else "",
                case.contact.email if case.contact is not None else "",
            ]

    return rows(), cases.count()


SLA_HEADER = [
    "group",
    "label",
    "cases",
    "open",
    "overdue",
    "median_first_action_hours",
    "median_resolve_hours",
    "within_sla_pct",
]


def _sla(scope: Scope, params: dict) -> Rows:
    _follow_up(scope)
    since, until = _period(params)
    figures = case_selectors.sla_figures(scope, since=since, until=until)
    lines = [("total", figures["total"])]
    lines += [("unit", f) for f in figures["units"]]
    lines += [("assignee", f) for f in figures["assignees"]]
    rows = [[group, f["label"], *(f.get(k) for k in SLA_HEADER[2:])] for group, f in lines]
    return iter(rows), len(rows)


CONTACT_HEADER = [
    "external_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "locale",
    "unit_code",
    "account",
    "consent_email",
    "consent_sms",
    "unsubscribed",
]


def _contacts(scope: Scope, params: dict) -> Rows:
    _follow_up(scope)
    contacts = contact_selectors.visible_contacts(scope).order_by("pk")

    def rows() -> Iterator[list[Any]]:
        for c in contacts.iterator(chunk_size=2000):
            yield [
                c.external_id,
                c.first_name,
                c.last_name,
                c.email,
                c.phone,
                c.locale,
                c.home_unit.code if c.home_unit_id else "",
                c.account.name if c.account is not None else "",
                c.consent_email,
                c.consent_sms,
                c.unsubscribed_at is not None,
            ]

    return rows(), contacts.count()


def _review_metrics(scope: Scope, params: dict) -> Rows:
    """Online review figures of the reader's units (the reviews app's table)."""
    _follow_up(scope)
    since, until = _period(params)
    _header, rows = review_selectors.review_metrics_rows(scope, since, until)
    return iter(rows), len(rows)


def _period(params: dict) -> tuple[datetime | None, datetime | None]:
    def day(name: str) -> datetime | None:
        raw = str(params.get(name) or "")
        if not raw:
            return None
        parsed = parse_date(raw)
        if parsed is None:
            raise InvalidInput("Give a day as YYYY-MM-DD.", field=name)
        return timezone.make_aware(datetime.combine(parsed, time.min))

    return day("since"), day("until")


KINDS: dict[str, Kind] = {
    "responses": Kind(
        _("Responses"),
        analytics_selectors.responses_export_header(),
        _responses_check,
        _responses,
    ),
    "cases": Kind(_("Cases"), CASE_HEADER, _follow_up, _cases),
    "sla": Kind(_("SLA figures"), SLA_HEADER, _follow_up, _sla),
    "contacts": Kind(_("Contacts"), CONTACT_HEADER, _follow_up, _contacts),
    "reviews": Kind(
        _("Online review figures"),
        review_selectors.REVIEW_METRICS_HEADER,
        _follow_up,
        _review_metrics,
    ),
}
FORMATS = ("csv", "xlsx")
