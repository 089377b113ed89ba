"""Background exports: asked for on a page, written by a worker with its progress, handed to
the one who asked, deleted when their time is up (decision 0020)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction
from django.utils import timezone

from voxloop import spreadsheets
from voxloop.errors import DomainError, InvalidInput
from voxloop.exports.kinds import FORMATS, KINDS
from voxloop.exports.models import Export, ExportStatus
from voxloop.tenancy.models import Membership
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import record_audit

PROGRESS_EVERY = 2000  # rows between progress updates: a write per 2,000 rows is cheap


def folder() -> Path:
    """The folder of the default storage (VOXLOOP_EXPORTS_ROOT; shared by every node)."""
    path = Path(settings.EXPORTS_ROOT)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def storage() -> Storage:
    """Where finished files live: the storage named "exports" when one is configured (S3-
    compatible through django-storages, docs/operations.md), else the folder above. A web
    node serves what a worker on another host wrote, so every node must see the same one."""
    if "exports" in settings.STORAGES:
        return storages["exports"]
    return FileSystemStorage(
        location=folder(), file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


def request_export(*, scope: Scope, kind: str, fmt: str, params: dict[str, Any]) -> Export:
    """Queue an export; refused at once (not later in the worker) when the role may not."""
    if kind not in KINDS:
        raise InvalidInput(f"'kind' must be one of {', '.join(KINDS)}.", field="kind")
    if fmt not in FORMATS:
        raise InvalidInput("'fmt' must be csv or xlsx.", field="fmt")
    KINDS[kind].check(scope)
    with transaction.atomic():
        export = Export.objects.create(
            organization_id=scope.organization_id,
            membership_id=scope.membership_id,
            requested_by_id=scope.user_id,
            kind=kind,
            fmt=fmt,
            params=params,
        )
        record_audit(
            actor=scope, action="export.request", target=export, changes={"kind": kind, "fmt": fmt}
        )
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from voxloop.exports.tasks import run_export

    run_export.enqueue(export_id)


def run(*, export_id: int) -> str:
    """Write one export under its requester's scope as it is now (a deactivated user's writes
    nothing; a revoked membership takes its exports with it). Returns the final status."""
    export = Export.objects.select_related("membership__unit", "membership__user").get(pk=export_id)
    if export.status != ExportStatus.QUEUED:
        return export.status
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    name = f"{uuid.uuid4().hex}.{export.fmt}"
    try:
        scope = _scope(export.membership)
        kind = KINDS[export.kind]
        rows, total = kind.rows(scope, export.params)
        Export.objects.filter(pk=export.pk).update(rows_total=total)
        _write(name, export, kind.header, _counted(export.pk, rows))
    except DomainError as error:
        return _finish(export, ExportStatus.FAILED, error=error.message)
    except Exception:
        _finish(export, ExportStatus.FAILED, error="The export failed; please try again.")
        raise
    keep = timedelta(hours=settings.EXPORT_KEEP_HOURS)
    return _finish(export, ExportStatus.DONE, file_name=name, expires_at=timezone.now() + keep)


def _scope(membership: Membership) -> Scope:
    if not membership.user.is_active:
        raise InvalidInput("The person who asked for this export can no longer sign in.")
    return Scope.of(membership)


def _write(name: str, export: Export, header: list[str], rows: Iterable[list[Any]]) -> None:
    """Written in full to a private temporary file first, then handed to the storage: the
    row's status says done only after that, so a download never sees half a file."""
    with tempfile.TemporaryFile() as out:
        if export.fmt == "csv":
            for piece in spreadsheets.csv_stream(header, rows):
                out.write(piece.encode("utf-8"))
        else:
            with spreadsheets.xlsx_file(header, rows, export.kind) as workbook:
                shutil.copyfileobj(workbook, out)
        out.seek(0)
        saved = storage().save(name, File(out, name=name))
    if saved != name:  # a storage that renames would break the row's link to its file
        raise RuntimeError(f"the export storage saved {name} as {saved}")


def _counted(export_id: int, rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            Export.objects.filter(pk=export_id).update(rows_done=done)
    Export.objects.filter(pk=export_id).update(rows_done=done)


def _finish(export: Export, status: str, **fields: Any) -> str:
    Export.objects.filter(pk=export.pk).update(status=status, finished_at=timezone.now(), **fields)
    return status


def stored_name(*, export: Export) -> str | None:
    """The finished file's name in the storage, while it is kept."""
    if export.status != ExportStatus.DONE or not export.file_name:
        return None
    if export.expires_at and export.expires_at <= timezone.now():
        return None
    return export.file_name if storage().exists(export.file_name) else None


def open_file(*, export: Export) -> IO[bytes] | None:
    """The finished file, opened for reading, while it is kept."""
    name = stored_name(export=export)
    return storage().open(name, "rb") if name else None


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete the files whose time is up; the rows stay as a record of what was exported."""
    now = now or timezone.now()
    due = Export.objects.filter(status=ExportStatus.DONE, expires_at__lte=now)
    count = 0
    for export in due.iterator():
        if export.file_name:
            storage().delete(export.file_name)  # no error when it is gone already
        count += Export.objects.filter(pk=export.pk, status=ExportStatus.DONE).update(
            status=ExportStatus.EXPIRED, file_name=""
        )
    return count
