"""Contact imports: CSV, XLSX and API batches through one pipeline.

Rows are read lazily and written in batches, so memory stays flat for a million-row file. Each
bad row is reported (line, column, reason) and skipped; the good rows are kept. A second row
for the same contact in one file is found through the contact's `last_import` mark, not by
holding every id in memory.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from voxloop.contacts import churn_rollup
from voxloop.contacts.models import Account, Contact
from voxloop.contacts.tables import read_table
from voxloop.errors import InvalidInput
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

FIELDS = {
    "external_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "locale",
    "timezone",
    "unit",
    "account",
    "consent_email",
    "consent_sms",
    "unsubscribed",
    "email_invalid",
}
ATTRIBUTE_PREFIX = "attributes."
LIMITS = {"external_id": 100, "first_name": 100, "last_name": 100, "locale": 10}
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{5,24}$")
TRUE, FALSE = {"1", "yes", "y", "true", "t", "x"}, {"0", "no", "n", "false", "f", ""}
MAX_REPORTED_ERRORS = 1000
BATCH_SIZE = 1000


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class RowReport:
    """What a batch did with its rows; bad ones are counted, the first few kept by line."""

    rows: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)

    def fail(self, line: int, column: str, message: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, column, message))


@dataclass
class ImportReport(RowReport):
    created: int = 0
    updated: int = 0


class RowInvalid(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


Progress = Callable[[int, float | None], None]


def resolve_columns(*, header: list[str], mapping: dict[str, str], unknown: str) -> list[str]:
    """The target of each column ('' to ignore); an unknown column is refused by name."""
    targets = []
    for name in header:
        name = (name or "").strip()
        target = mapping.get(name, name)
        if target and target not in FIELDS and not target.startswith(ATTRIBUTE_PREFIX):
            if unknown == "attribute":
                target = ATTRIBUTE_PREFIX + target
            elif unknown == "ignore":
                target = ""
            else:
                raise InvalidInput(
                    f"Unknown column '{name}': map it to a contact field or to "
                    "attributes.<name>, or choose to ignore it.",
                    field=name,
                )
        if target.startswith(ATTRIBUTE_PREFIX) and not re.match(
            r"^[A-Za-z0-9_]{1,60}$", target[len(ATTRIBUTE_PREFIX) :]
        ):
            raise InvalidInput(f"'{target}' is not a usable attribute name.", field=name)
        targets.append(target)
    if not ({"external_id", "email"} & set(targets)):
        raise InvalidInput("The file needs an external_id or an email column.", field="columns")
    return targets


def import_file(
    *,
    actor: Scope,
    path: str | os.PathLike[str],
    mapping: dict[str, str] | None = None,
    unknown: str = "error",
    progress: Progress | None = None,
    file_format: str | None = None,
) -> ImportReport:
    """Import contacts from a CSV or XLSX file; see the module docstring."""
    actor.require(Capability.CONFIGURE)
    table = read_table(path, file_format)
    targets = resolve_columns(header=table.header, mapping=mapping or {}, unknown=unknown)

    def records() -> Iterator[tuple[int, dict[str, Any] | RowInvalid]]:
        for line, values in table.rows:
            if isinstance(values, RowInvalid):
                yield line, values
                continue
            if len(values) > len(targets) and any(
                v not in ("", None) for v in values[len(targets) :]
            ):
                yield line, RowInvalid("", f"{len(values)} fields, the header has {len(targets)}")
                continue
            yield line, {t: v for t, v in zip(targets, values, strict=False) if t}

    return _run(actor, records(), progress, table.fraction, source=str(path))


def import_records(*, actor: Scope, records: Iterable[dict[str, Any]]) -> ImportReport:
    """Import contacts sent as JSON objects (the API's batches); lines count from 1."""
    actor.require(Capability.CONFIGURE)

    def flattened() -> Iterator[tuple[int, dict[str, Any] | RowInvalid]]:
        for line, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                yield line, RowInvalid("", "each contact is an object")
                continue
            row = {k: v for k, v in record.items() if k != "attributes"}
            unknown = set(row) - FIELDS
            if unknown:
                yield line, RowInvalid(sorted(unknown)[0], "unknown field")
                continue
            attributes = record.get("attributes") or {}
            if not isinstance(attributes, dict):
                yield line, RowInvalid("attributes", "attributes is an object")
                continue
            row.update({ATTRIBUTE_PREFIX + str(k): v for k, v in attributes.items()})
            yield line, row

    return _run(actor, flattened(), None, lambda: None, source="api")


Record = tuple[int, dict[str, Any] | RowInvalid]


def _run(
    actor: Scope,
    records: Iterable[Record],
    progress: Progress | None,
    fraction: Callable[[], float | None],
    source: str,
) -> ImportReport:
    report = ImportReport()
    run = secrets.token_hex(8)
    lookups = _Lookups(actor)
    batch: list[tuple[int, dict]] = []
    for line, record in records:
        report.rows += 1
        if isinstance(record, RowInvalid):
            report.fail(line, record.column, record.message)
        else:
            try:
                batch.append((line, _clean(record, lookups)))
            except RowInvalid as error:
                report.fail(line, error.column, error.message)
        if len(batch) >= BATCH_SIZE:
            _write(actor, batch, run, report)
            batch = []
            if progress:
                progress(report.rows, fraction())
    if batch:
        _write(actor, batch, run, report)
    if progress:
        progress(report.rows, 1.0)
    record_audit(
        actor=actor,
        action="contact.import",
        target=None,
        changes={
            "source": source[-200:],
            "created": report.created,
            "updated": report.updated,
            "failed": report.failed,
        },
    )
    return report


class _Lookups:
    """Units and accounts by code, cached for the run (an organisation has few of them)."""

    def __init__(self, actor: Scope) -> None:
        self.actor = actor
        self.units: dict[str, OrgUnit | None] = {}
        self.accounts: dict[str, Account | None] = {}

    def unit(self, code: str) -> OrgUnit:
        if code not in self.units:
            found = tenancy_selectors.unit_by_code_in_org(self.actor.organization_id, code)
            self.units[code] = found if found is not None and self.actor.covers(found) else None
        unit = self.units[code]
        if unit is None:
            raise RowInvalid("unit", f"no unit with the code '{code}' in your scope")
        return unit

    def account(self, external_id: str) -> Account:
        if external_id not in self.accounts:
            self.accounts[external_id] = Account.objects.filter(
                organization_id=self.actor.organization_id, external_id=external_id
            ).first()
        account = self.accounts[external_id]
        if account is None:
            raise RowInvalid("account", f"no account with the external id '{external_id}'")
        return account


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if "\x00" in text:
        raise RowInvalid("", "contains a NUL character")
    if "\ufffd" in text:
        raise RowInvalid("", "is not valid UTF-8")
    return text


def _flag(column: str, value: Any) -> bool:
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise RowInvalid(column, f"'{text}' is not yes or no")


def _clean(record: dict[str, Any], lookups: _Lookups) -> dict[str, Any]:
    clean: dict[str, Any] = {"attributes": {}}
    for column, raw in record.items():
        try:
            text = _text(raw)
        except RowInvalid as error:
            raise RowInvalid(column, error.message) from None
        if column.startswith(ATTRIBUTE_PREFIX):
            if text != "":
                value = raw if isinstance(raw, int | float | bool) else text
                clean["attributes"][column[len(ATTRIBUTE_PREFIX) :]] = value
            continue
        if column in LIMITS and len(text) > LIMITS[column]:
            raise RowInvalid(column, f"longer than {LIMITS[column]} characters")
        if column == "email" and text:
            text = text.lower()
            try:
                validate_email(text)
            except ValidationError:
                raise RowInvalid(column, f"'{text[:80]}' is not an email address") from None
        elif column == "phone" and text:
            if not PHONE.match(text):
                raise RowInvalid(column, f"'{text[:40]}' is not a phone number")
            text = ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)
        elif column == "timezone" and text:
            try:
                ZoneInfo(text)
            except (ZoneInfoNotFoundError, ValueError):
                raise RowInvalid(column, f"unknown time zone '{text[:60]}'") from None
        elif column == "unit" and text:
            clean["home_unit"] = lookups.unit(text)
            continue
        elif column == "account" and text:
            clean["account"] = lookups.account(text)
            continue
        elif column in {"consent_email", "consent_sms", "email_invalid", "unsubscribed"}:
            if text != "":
                clean[column] = _flag(column, text)
            continue
        if text or column in {"first_name", "last_name", "phone"}:
            clean[column] = text
    if not clean.get("external_id") and not clean.get("email"):
        raise RowInvalid("external_id", "needs an external id or an email")
    return clean


def _write(actor: Scope, batch: list[tuple[int, dict]], run: str, report: ImportReport) -> None:
    org_id = actor.organization_id
    ids = {row["external_id"] for _, row in batch if row.get("external_id")}
    emails = {row["email"] for _, row in batch if not row.get("external_id")}
    found = Contact.objects.filter(organization_id=org_id).filter(
        Q(external_id__in=ids) | Q(email__in=emails)
    )
    by_id: dict[str, Contact] = {}
    by_email: dict[str, list[Contact]] = {}
    for existing in found:
        by_id[existing.external_id] = existing
        by_email.setdefault(existing.email, []).append(existing)
    creates: dict[str, Contact] = {}
    updates: dict[int, Contact] = {}
    seen: set[str] = set()
    new_emails: set[str] = set()
    for line, row in batch:
        key = row.get("external_id") or ""
        contact: Contact | None
        if key:
            contact = by_id.get(key)
        else:
            matches = by_email.get(row["email"], [])
            if row["email"] in new_emails:
                report.fail(line, "email", "a second row for the same contact in this file")
                continue
            if len(matches) > 1:
                report.fail(line, "email", "several contacts have this email; give external_id")
                continue
            contact = matches[0] if matches else None
            key = contact.external_id if contact else row["email"]
        if key in seen or (contact is not None and contact.last_import == run):
            report.fail(line, "external_id", "a second row for the same contact in this file")
            continue
        seen.add(key)
        if contact is None:
            if "home_unit" not in row:
                report.fail(line, "unit", "a new contact needs a unit")
                continue
            if key in by_id:  # the email of a new row is another contact's external id
                report.fail(line, "external_id", "already used by another contact")
                continue
            contact = Contact(organization_id=org_id, external_id=key)
            creates[key] = contact
            if row.get("email"):
                new_emails.add(row["email"])
        elif not actor.covers_path(contact.unit_path):
            report.fail(
                line, "external_id", "this contact is outside your part of the organisation"
            )
            continue
        else:
            updates[contact.pk] = contact
        _apply(contact, row, run)
    with transaction.atomic():
        if creates:
            Contact.objects.bulk_create(creates.values())
        if updates:
            Contact.objects.bulk_update(updates.values(), UPDATE_FIELDS)
        # Bulk writes send no post_save: new and moved customers enter the churn rollup here.
        churn_rollup.reconcile(kind="contact", ids=[c.pk for c in creates.values()] + list(updates))
    report.created += len(creates)
    report.updated += len(updates)


UPDATE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "locale",
    "timezone",
    "home_unit",
    "unit_path",
    "account",
    "attributes",
    "consent_email",
    "consent_sms",
    "unsubscribed_at",
    "email_invalid",
    "last_import",
]


def _apply(contact: Contact, row: dict, run: str) -> None:
    from django.utils import timezone

    for name in ("first_name", "last_name", "phone", "locale", "timezone", "account"):
        if name in row:
            setattr(contact, name, row[name])
    if "email" in row and row["email"] != contact.email:
        contact.email, contact.email_invalid = row["email"], False  # a new address: try it
    if "home_unit" in row:
        contact.home_unit, contact.unit_path = row["home_unit"], row["home_unit"].path
    for name in ("consent_email", "consent_sms", "email_invalid"):
        if name in row:
            setattr(contact, name, row[name])
    if "unsubscribed" in row:
        if row["unsubscribed"] and contact.unsubscribed_at is None:
            contact.unsubscribed_at = timezone.now()
        elif not row["unsubscribed"]:
            contact.unsubscribed_at = None
    contact.attributes = {**(contact.attributes or {}), **row["attributes"]}
    contact.last_import = run
