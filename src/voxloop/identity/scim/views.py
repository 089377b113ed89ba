"""SCIM 2.0 endpoints (RFC 7644) for one organisation, the one its bearer token names.

Okta and Microsoft Entra ID provision through these: they look a user up by userName or
externalId, create it, PATCH it (Entra sends "Replace" with paths and string booleans, Okta
sends a value object without a path), and deactivate it with active=false. Every write goes
through `identity.provisioning`, which keeps the membership in line and writes the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from voxloop import counters
from voxloop.errors import DomainError
from voxloop.identity import provisioning, selectors, services
from voxloop.identity.models import ExternalIdentity, ScimGroup
from voxloop.identity.scim import documents as doc
from voxloop.identity.scim.documents import ScimError

RATE = 600  # requests per token per minute; Entra sends bursts, Okta fewer
USER_FILTERS = {
    "username": "user_name",
    "externalid": "external_id",
    "id": "pk",
    "displayname": "display_name",
}
GROUP_FILTERS = {"displayname": "display_name", "externalid": "external_id", "id": "pk"}


DISCOVERY = {"service_provider_config", "resource_types", "resource_type", "schemas", "schema"}


def scim_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        token = (
            services.authenticate_scim(secret=header[7:].strip())
            if header.lower().startswith("bearer ")
            else None
        )
        if token is None:
            response = doc.error(ScimError(401, "A valid SCIM bearer token is required."))
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        tally = counters.hit(f"scim:{token.prefix}", 60)
        if tally.count > RATE:
            response = doc.error(ScimError(429, "Too many requests; slow down."))
            response["Retry-After"] = str(tally.retry_after())
            return response
        if view.__name__ in DISCOVERY and request.method != "GET":
            return doc.error(ScimError(405, "Discovery endpoints are read-only."))
        try:
            return view(request, token.organization_id, *args, **kwargs)
        except ScimError as failure:
            return doc.error(failure)
        except DomainError as failure:
            kind = "uniqueness" if failure.status == 409 else "invalidValue"
            return doc.error(ScimError(failure.status, failure.message, kind))

    return wrapper


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError(400, "The body is not a JSON object.", "invalidSyntax")
    return body


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() not in ("true", "false"):
            raise ScimError(400, "active is true or false.", "invalidValue")
        return value.lower() == "true"
    return bool(value)


def _identity(organization_id: int, pk: str) -> ExternalIdentity:
    found = selectors.identities(organization_id).filter(pk=pk).first() if pk.isdigit() else None
    if found is None:
        raise ScimError(404, f"User {pk} not found.")
    return found


def _group(organization_id: int, pk: str) -> ScimGroup:
    found = selectors.scim_groups(organization_id).filter(pk=pk).first() if pk.isdigit() else None
    if found is None:
        raise ScimError(404, f"Group {pk} not found.")
    return found


# --- discovery -------------------------------------------------------------------------


@scim_endpoint
def service_provider_config(request: HttpRequest, organization_id: int) -> HttpResponse:
    return doc.respond(doc.service_provider_config(request))


@scim_endpoint
def resource_types(request: HttpRequest, organization_id: int) -> HttpResponse:
    found = doc.resource_types(request)
    return doc.respond(doc.list_document(found, len(found), 1))


@scim_endpoint
def resource_type(request: HttpRequest, organization_id: int, name: str) -> HttpResponse:
    for found in doc.resource_types(request):
        if found["id"] == name:
            return doc.respond(found)
    raise ScimError(404, f"Resource type {name} not found.")


@scim_endpoint
def schemas(request: HttpRequest, organization_id: int) -> HttpResponse:
    found = doc.schemas(request)
    return doc.respond(doc.list_document(found, len(found), 1))


@scim_endpoint
def schema(request: HttpRequest, organization_id: int, urn: str) -> HttpResponse:
    for found in doc.schemas(request):
        if found["id"] == urn:
            return doc.respond(found)
    raise ScimError(404, f"Schema {urn} not found.")


# --- users -----------------------------------------------------------------------------


def _user_fields(body: dict[str, Any], current: ExternalIdentity | None) -> dict[str, Any]:
    attributes = dict(current.attributes) if current else {}
    for key in ("name", "emails", "title", "preferredLanguage", "locale", "timezone"):
        if key in body:
            attributes[key] = body[key]
    emails = attributes.get("emails") or []
    primary = next((e for e in emails if isinstance(e, dict) and e.get("primary")), None)
    email = (primary or (emails[0] if emails and isinstance(emails[0], dict) else {})).get(
        "value", ""
    )
    return {
        "user_name": str(body.get("userName", current.user_name if current else "")),
        "external_id": str(body.get("externalId", current.external_id if current else "") or ""),
        "active": _truthy(body.get("active", current.active if current else True)),
        "display_name": str(body.get("displayName", current.display_name if current else "") or ""),
        "email": str(email),
        "attributes": attributes,
    }


@scim_endpoint
def users(request: HttpRequest, organization_id: int) -> HttpResponse:
    if request.method == "POST":
        identity = provisioning.scim_save_user(
            organization_id=organization_id, identity=None, **_user_fields(_body(request), None)
        )
        document = doc.user_document(request, identity)
        return doc.respond(document, 201, Location=document["meta"]["location"])
    if request.method != "GET":
        raise ScimError(405, "GET or POST.")
    return _list_users(request, organization_id, request.GET)


def _list_users(request: HttpRequest, organization_id: int, query: Any) -> HttpResponse:
    rows = selectors.identities(organization_id).prefetch_related("scim_groups")
    wanted = doc.parse_filter(str(query.get("filter", "")), USER_FILTERS)
    if wanted is not None:
        field, value = wanted
        if field == "pk" and not value.isdigit():
            rows = rows.none()
        else:
            rows = rows.filter(**{f"{field}__iexact" if field != "pk" else field: value})
    start, count = doc.paging(query)
    total = rows.count()
    page = [
        doc.project(doc.user_document(request, i), query)
        for i in rows[start - 1 : start - 1 + count]
    ]
    return doc.respond(doc.list_document(page, total, start))


def _patch_user(identity: ExternalIdentity, operations: list[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation is an object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        path = str(operation.get("path", "") or "")
        value = operation.get("value")
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unknown op {operation.get('op')!r}.", "invalidSyntax")
        changes = (
            value
            if not path and isinstance(value, dict)
            else {path: None if op == "remove" else value}
        )
        for key, item in changes.items():
            _apply_user_change(body, identity, key, item)
    return body


def _apply_user_change(
    body: dict[str, Any], identity: ExternalIdentity, key: str, value: Any
) -> None:
    attributes = identity.attributes or {}
    lowered = key.lower()
    if lowered.startswith("name."):
        name = dict(body.get("name", attributes.get("name", {})))
        name[key.split(".", 1)[1]] = value
        body["name"] = name
    elif lowered.startswith("emails"):
        emails = [{"value": value, "type": "work", "primary": True}] if value else []
        body["emails"] = value if isinstance(value, list) else emails
    elif lowered in {
        "active",
        "username",
        "externalid",
        "displayname",
        "title",
        "name",
        "emails",
        "preferredlanguage",
        "locale",
        "timezone",
    }:
        canonical = {
            "active": "active",
            "username": "userName",
            "externalid": "externalId",
            "displayname": "displayName",
            "preferredlanguage": "preferredLanguage",
        }.get(lowered, lowered)
        body[canonical] = value
    elif lowered.startswith("urn:ietf:params:scim:schemas:extension:"):
        return  # enterprise attributes (department, manager) are not kept
    else:
        raise ScimError(400, f"The attribute {key} cannot be changed.", "invalidPath")


@scim_endpoint
def user(request: HttpRequest, organization_id: int, pk: str) -> HttpResponse:
    identity = _identity(organization_id, pk)
    if request.method == "GET":
        return doc.respond(doc.project(doc.user_document(request, identity), request.GET))
    if request.method == "DELETE":
        provisioning.scim_delete_user(identity=identity)
        return HttpResponse(status=204)
    if request.method == "PUT":
        fields = _user_fields(_body(request), None)
        fields["attributes"] = {**identity.attributes, **fields["attributes"]}
    elif request.method == "PATCH":
        body = _body(request)
        operations = body.get("Operations")
        if not isinstance(operations, list):
            raise ScimError(400, "A PATCH has Operations.", "invalidSyntax")
        fields = _user_fields(_patch_user(identity, operations), identity)
    else:
        raise ScimError(405, "GET, PUT, PATCH or DELETE.")
    identity = provisioning.scim_save_user(
        organization_id=organization_id, identity=identity, **fields
    )
    return doc.respond(doc.user_document(request, identity))


# --- groups ----------------------------------------------------------------------------


def _member_ids(organization_id: int, members: Any) -> list[int]:
    if not isinstance(members, list):
        raise ScimError(400, "members is a list.", "invalidValue")
    ids = [str(m.get("value", "")) for m in members if isinstance(m, dict)]
    found = set(
        selectors.identities(organization_id)
        .filter(pk__in=[i for i in ids if i.isdigit()])
        .values_list("pk", flat=True)
    )
    # Ids that are not users of this organisation are left out (as Entra and Okta expect of a
    # server): another organisation's person can never join.
    return sorted(found)


@scim_endpoint
def groups(request: HttpRequest, organization_id: int) -> HttpResponse:
    if request.method == "POST":
        body = _body(request)
        group = provisioning.scim_save_group(
            organization_id=organization_id,
            group=None,
            display_name=str(body.get("displayName", "")),
            external_id=str(body.get("externalId", "") or ""),
            member_ids=_member_ids(organization_id, body.get("members", [])),
        )
        document = doc.group_document(request, group)
        return doc.respond(document, 201, Location=document["meta"]["location"])
    if request.method != "GET":
        raise ScimError(405, "GET or POST.")
    return _list_groups(request, organization_id, request.GET)


def _list_groups(request: HttpRequest, organization_id: int, query: Any) -> HttpResponse:
    rows = selectors.scim_groups(organization_id)
    wanted = doc.parse_filter(str(query.get("filter", "")), GROUP_FILTERS)
    if wanted is not None:
        field, value = wanted
        if field == "pk" and not value.isdigit():
            rows = rows.none()
        else:
            rows = rows.filter(**{f"{field}__iexact" if field != "pk" else field: value})
    start, count = doc.paging(query)
    page = [
        doc.project(doc.group_document(request, group), query)
        for group in rows[start - 1 : start - 1 + count]
    ]
    return doc.respond(doc.list_document(page, rows.count(), start))


MEMBER_PATH = "members[value eq "


@scim_endpoint
def group(request: HttpRequest, organization_id: int, pk: str) -> HttpResponse:
    found = _group(organization_id, pk)
    if request.method == "GET":
        return doc.respond(doc.project(doc.group_document(request, found), request.GET))
    if request.method == "DELETE":
        provisioning.scim_delete_group(group=found)
        return HttpResponse(status=204)
    body = _body(request)
    name, external_id = found.display_name, found.external_id
    members = set(found.members.values_list("pk", flat=True))
    if request.method == "PUT":
        name = str(body.get("displayName", name))
        external_id = str(body.get("externalId", external_id) or "")
        members = set(_member_ids(organization_id, body.get("members", [])))
    elif request.method == "PATCH":
        operations = body.get("Operations")
        if not isinstance(operations, list):
            raise ScimError(400, "A PATCH has Operations.", "invalidSyntax")
        for operation in operations:
            op = str(operation.get("op", "")).lower() if isinstance(operation, dict) else ""
            path = str(operation.get("path", "") or "")
            value = operation.get("value")
            if op not in ("add", "replace", "remove"):
                raise ScimError(400, "Unknown op.", "invalidSyntax")
            if not path and isinstance(value, dict):
                name = str(value.get("displayName", name))
                external_id = str(value.get("externalId", external_id) or "")
                if "members" in value:
                    members = set(_member_ids(organization_id, value["members"]))
            elif path.lower() == "displayname":
                name = str(value)
            elif path.lower() == "externalid":
                external_id = str(value or "")
            elif path.lower() == "members":
                given = (
                    set(_member_ids(organization_id, value or [])) if value is not None else set()
                )
                if op == "add":
                    members |= given
                elif op == "replace":
                    members = given
                else:
                    members = members - given if value else set()
            elif path.lower().startswith(MEMBER_PATH) and op == "remove":
                member = path[len(MEMBER_PATH) :].rstrip("]").strip().strip('"')
                members.discard(int(member) if member.isdigit() else -1)
            else:
                raise ScimError(400, f"The path {path} is not supported.", "invalidPath")
    else:
        raise ScimError(405, "GET, PUT, PATCH or DELETE.")
    found = provisioning.scim_save_group(
        organization_id=organization_id,
        group=found,
        display_name=name,
        external_id=external_id,
        member_ids=sorted(members),
    )
    return doc.respond(doc.group_document(request, found))


def _search_body(request: HttpRequest) -> dict[str, Any]:
    body = _body(request)
    query: dict[str, Any] = {k: body[k] for k in ("filter", "startIndex", "count") if k in body}
    for key in ("attributes", "excludedAttributes"):
        if isinstance(body.get(key), list):
            query[key] = ",".join(str(a) for a in body[key])
    return query


@scim_endpoint
def search_users(request: HttpRequest, organization_id: int) -> HttpResponse:
    """POST /Users/.search (RFC 7644 §3.4.3): the query in the body, not the URL."""
    if request.method != "POST":
        raise ScimError(405, "POST.")
    return _list_users(request, organization_id, _search_body(request))


@scim_endpoint
def search_groups(request: HttpRequest, organization_id: int) -> HttpResponse:
    if request.method != "POST":
        raise ScimError(405, "POST.")
    return _list_groups(request, organization_id, _search_body(request))


@scim_endpoint
def search_all(request: HttpRequest, organization_id: int) -> HttpResponse:
    """POST /.search across users and groups; a filter applies where it names an attribute
    the resource type has."""
    if request.method != "POST":
        raise ScimError(405, "POST.")
    query = _search_body(request)
    found: list[dict[str, Any]] = []
    for lister, allowed in ((_list_users, USER_FILTERS), (_list_groups, GROUP_FILTERS)):
        try:
            doc.parse_filter(str(query.get("filter", "")), allowed)
        except ScimError:
            continue
        found += json.loads(lister(request, organization_id, query).content)["Resources"]
    start = int(query.get("startIndex", 1) or 1)
    return doc.respond(doc.list_document(found, len(found), start))


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return doc.error(ScimError(404, "No such SCIM endpoint."))
