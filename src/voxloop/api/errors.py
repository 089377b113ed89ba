"""Every API error is JSON naming what went wrong and, where there is one, the field at fault."""

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from voxloop.api.schemas import ErrorOut
from voxloop.errors import DomainError

# What each operation can answer besides its success, every one with an ErrorOut body.
ERRORS = {
    "400": "Bad input; `error.field` names the field at fault.",
    "401": "No credential, or a wrong, expired or revoked token.",
    "403": "Your role may not do this.",
    "404": "No such object in your scope (or no such path).",
    "422": "A parameter or a body field is not of the documented type or range.",
    "429": "Too many requests with this credential; wait `Retry-After` seconds.",
}
WRITE_ERRORS = {"409": "It conflicts with the object's current state."}
# Updates and deletes of an object that can be read (voxloop.api.http).
CONDITIONAL_ERRORS = {
    "412": "`If-Match` names an older version: the object changed since you read it.",
    "428": "This deployment requires `If-Match` on updates and deletes.",
}
NOT_MODIFIED = {"description": "`If-None-Match` names the current version (no body)."}
RATE_HEADERS = {
    "RateLimit-Limit": "Requests allowed per window for this credential.",
    "RateLimit-Remaining": "Requests left in the current window.",
    "RateLimit-Reset": "Seconds until the window closes.",
}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def _field_of(location: list | tuple) -> str | None:
    # Ninja reports ("body", "payload", "name"): the client cares about "name".
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header", "form")]
    if parts and parts[0] in ("payload", "data", "filters"):
        parts = parts[1:]
    return ".".join(parts) or None


def _malformed_body(cause: ValueError) -> dict:
    message = "The request body is not valid JSON."
    if isinstance(cause, json.JSONDecodeError):
        message += f" {cause.msg} at line {cause.lineno}, column {cause.colno}."
    return error_body("malformed_json", message)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.field), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        problems: list[dict[str, Any]] = []
        for item in exc.errors:
            field = _field_of(item.get("loc", ()))
            kind = item.get("type", "")
            if kind == "extra_forbidden":
                message = f"Unknown field '{field}'."
            elif kind == "missing" and field is None:
                message = "The request needs a JSON object body."
            elif kind == "missing":
                message = f"The field '{field}' is required."
            else:
                message = str(item.get("msg") or "Invalid value.")
            problems.append({"field": field, "message": message})
        first = problems[0] if problems else {"field": None, "message": "Invalid request."}
        body = error_body("invalid", str(first["message"]), first["field"], problems=problems)
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = "Sign in, or send 'Authorization: Bearer <token>' with a valid token."
        return api.create_response(request, error_body("unauthenticated", message), status=401)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = str(exc) or "You are not allowed to do this."
        return api.create_response(request, error_body("forbidden", message), status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, error_body("not_found", "Not found."), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, ValueError) and exc.status_code == 400:
            # Ninja's body parser failed: say where the JSON broke instead of a bare 400.
            return api.create_response(request, _malformed_body(exc.__cause__), status=400)
        code = {400: "bad_request", 403: "forbidden"}.get(exc.status_code, "error")
        return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)


def document_errors(schema: dict) -> dict:
    """Add the error answers to every operation of an OpenAPI schema (keeping any it lists)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in error.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorOut", error)
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    headers = {
        name: {"description": text, "schema": {"type": "integer"}}
        for name, text in RATE_HEADERS.items()
    }
    paths = schema.get("paths", {})
    readable_paths = {path for path, operations in paths.items() if "get" in operations}
    for path, operations in paths.items():
        readable = _has_read(path, readable_paths)
        for method, operation in operations.items():
            answers = {str(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = answers
            errors = ERRORS if method == "get" else {**ERRORS, **WRITE_ERRORS}
            if method in ("patch", "put", "delete") and readable:
                errors = {**errors, **CONDITIONAL_ERRORS}
            for status, description in errors.items():
                answers.setdefault(status, {"description": description, "content": body})
            if method == "get":
                answers.setdefault("304", dict(NOT_MODIFIED))
            for status, answer in answers.items():
                if status.startswith("2"):
                    answer.setdefault("headers", {}).update(headers)
            answers["429"]["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            }
    return schema


def _has_read(path: str, readable_paths: set[str]) -> bool:
    """Whether the object at the path, or the one it is a part of, can be read (its ETag is
    then checked by If-Match: voxloop.api.http)."""
    parts = path.rstrip("/").split("/")
    return any("/".join(parts[:end]) in readable_paths for end in range(5, len(parts) + 1))


@csrf_exempt  # like the API's own views: nothing here acts on a session
def unknown_path(request: HttpRequest) -> JsonResponse:
    """Anything under /api/ that no operation matches (an id that is not a whole number, a
    typo): a JSON 404 like every other API error, not the site's HTML page."""
    message = "No such API path; ids in paths are whole numbers."
    return JsonResponse(error_body("not_found", message), status=404)
