"""Background exports over the API: ask for one (202), poll it, download the file. Each export
is its requester's: another membership, even an admin's, gets 404 (decision 0020)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import listing
from voxloop.api.schemas import Id
from voxloop.errors import NotFound
from voxloop.exports import selectors, services
from voxloop.exports.models import Export
from voxloop.exports.schemas import ExportIn, ExportList, ExportOut

router = Router(tags=["exports"])
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _out(export: Export) -> dict:
    ready = services.stored_name(export=export) is not None
    return {
        "id": export.pk,
        "kind": export.kind,
        "fmt": export.fmt,
        "status": export.status,
        "percent": export.percent,
        "rows_done": export.rows_done,
        "rows_total": export.rows_total,
        "error": export.error,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "expires_at": export.expires_at,
        "download_url": reverse("api:export_download", args=[export.pk]) if ready else None,
    }


@router.get("/exports", response=list[ExportOut], url_name="export_list")
def list_exports(request: HttpRequest, query: Query[ExportList]) -> list[dict]:
    """Your own exports, newest first."""
    exports = selectors.my_exports(actor(request))
    if query.status:
        exports = exports.filter(status=query.status)
    return listing(request, exports, query, _out)


@router.post("/exports", response={202: ExportOut}, url_name="export_create")
def create_export(request: HttpRequest, payload: ExportIn) -> Status:
    """Queue an export (a worker writes it); poll `GET /exports/{id}` until `done`, then
    download it from `download_url`. Refused at once (403) when your role may not export
    this kind."""
    given = payload.filters.model_dump(exclude_none=True) if payload.filters else {}
    params = {k: str(v) for k, v in given.items()}
    export = services.request_export(
        scope=actor(request), kind=payload.kind, fmt=payload.fmt, params=params
    )
    return Status(202, _out(export))


@router.get("/exports/{int:export_id}", response=ExportOut, url_name="export")
def get_export(request: HttpRequest, export_id: Id) -> dict:
    return _out(selectors.my_export(actor(request), export_id))


@router.get(
    "/exports/{int:export_id}/download",
    response={200: bytes},
    url_name="export_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file (CSV or XLSX).",
                "content": {
                    ct: {"schema": {"type": "string", "format": "binary"}}
                    for ct in CONTENT_TYPES.values()
                },
            }
        }
    },
)
def download_export(request: HttpRequest, export_id: Id) -> FileResponse:
    """The finished file while it is kept (404 before it is done and after it expired)."""
    export = selectors.my_export(actor(request), export_id)
    opened = services.open_file(export=export)
    if opened is None:
        raise NotFound("The file is not ready, or no longer kept.", field="export")
    return FileResponse(
        opened,
        as_attachment=True,
        filename=f"{export.kind}-{export.created_at:%Y%m%d-%H%M}.{export.fmt}",
        content_type=CONTENT_TYPES[export.fmt],
    )
