"""SCIM 2.0 documents (RFC 7643): users and groups as clients read them, the discovery
documents, errors; and the filter subset clients send (RFC 7644 §3.4.2.2: `attr eq "v"`)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from voxloop.identity.models import ExternalIdentity, ScimGroup

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
CONTENT_TYPE = "application/scim+json"
MAX_RESULTS = 200


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def respond(document: dict[str, Any], status: int = 200, **headers: str) -> JsonResponse:
    response = JsonResponse(document, status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name] = value
    return response


def error(failure: ScimError) -> JsonResponse:
    body: dict[str, Any] = {
        "schemas": [ERROR],
        "status": str(failure.status),
        "detail": failure.detail,
    }
    if failure.scim_type:
        body["scimType"] = failure.scim_type
    return respond(body, failure.status)


def _meta(request: HttpRequest, kind: str, obj: Any, route: str) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "created": obj.created_at.isoformat(),
        "lastModified": obj.updated_at.isoformat(),
        "location": request.build_absolute_uri(reverse(route, args=[obj.pk])),
        "version": f'W/"{int(obj.updated_at.timestamp() * 1000)}"',
    }


def user_document(request: HttpRequest, identity: ExternalIdentity) -> dict[str, Any]:
    attributes = identity.attributes or {}
    document: dict[str, Any] = {
        "schemas": [USER],
        "id": str(identity.pk),
        "userName": identity.user_name,
        "active": identity.active,
        "meta": _meta(request, "User", identity, "scim:user"),
        "groups": [
            {"value": str(g.pk), "display": g.display_name} for g in identity.scim_groups.all()
        ],
    }
    if identity.external_id:
        document["externalId"] = identity.external_id
    if identity.display_name:
        document["displayName"] = identity.display_name
    for key in ("name", "emails", "title", "preferredLanguage", "locale", "timezone"):
        if key in attributes:
            document[key] = attributes[key]
    return document


def group_document(request: HttpRequest, group: ScimGroup) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schemas": [GROUP],
        "id": str(group.pk),
        "displayName": group.display_name,
        "members": [
            {"value": str(m.pk), "display": m.user_name, "type": "User"}
            for m in group.members.all()
        ],
        "meta": _meta(request, "Group", group, "scim:group"),
    }
    if group.external_id:
        document["externalId"] = group.external_id
    return document


def list_document(resources: list[dict[str, Any]], total: int, start: int) -> dict[str, Any]:
    return {
        "schemas": [LIST],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


FILTER = re.compile(r'^\s*([A-Za-z][\w.:]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_filter(text: str, allowed: dict[str, str]) -> tuple[str, str] | None:
    """(model field, value) for `attr eq "value"`, None for no filter; ScimError otherwise."""
    if not text.strip():
        return None
    found = FILTER.match(text)
    if found is None:
        raise ScimError(
            400, 'Only filters of the form attr eq "value" are supported.', "invalidFilter"
        )
    attribute = found.group(1).split(":")[-1] if ":" in found.group(1) else found.group(1)
    field = allowed.get(attribute.lower())
    if field is None:
        raise ScimError(400, f"Filtering on {found.group(1)} is not supported.", "invalidFilter")
    return field, found.group(2).replace('\\"', '"').replace("\\\\", "\\")


def paging(query: Any) -> tuple[int, int]:
    try:
        start = max(1, int(query.get("startIndex", "1")))
        count = min(MAX_RESULTS, max(0, int(query.get("count", str(MAX_RESULTS)))))
    except ValueError:
        raise ScimError(400, "startIndex and count are integers.", "invalidValue") from None
    return start, count


def service_provider_config(request: HttpRequest) -> dict[str, Any]:
    return {
        "schemas": [SPC],
        "documentationUri": "https://voxloop.invalid/docs/identity",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A SCIM token made on the organisation's sign-in settings page.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": request.build_absolute_uri(reverse("scim:config")),
        },
    }


def resource_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE],
            "id": name,
            "name": name,
            "endpoint": f"/{name}s",
            "schema": schema,
            "meta": {
                "resourceType": "ResourceType",
                "location": request.build_absolute_uri(reverse("scim:resource_type", args=[name])),
            },
        }
        for name, schema in (("User", USER), ("Group", GROUP))
    ]


def _attribute(name: str, kind: str = "string", **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "multiValued": more.pop("multi", False),
        "required": more.pop("required", False),
        "caseExact": False,
        "mutability": more.pop("mutability", "readWrite"),
        "returned": "default",
        "uniqueness": more.pop("uniqueness", "none"),
        **more,
    }


def schemas(request: HttpRequest) -> list[dict[str, Any]]:
    sub = [
        _attribute("value"),
        _attribute("display"),
        _attribute("type"),
        _attribute("primary", "boolean"),
    ]
    user = [
        _attribute("userName", required=True, uniqueness="server"),
        _attribute("displayName"),
        _attribute("active", "boolean"),
        _attribute("title"),
        _attribute(
            "name",
            "complex",
            subAttributes=[
                _attribute("givenName"),
                _attribute("familyName"),
                _attribute("formatted"),
            ],
        ),
        _attribute("emails", "complex", multi=True, subAttributes=sub),
        _attribute("groups", "complex", multi=True, mutability="readOnly", subAttributes=sub[:3]),
    ]
    group = [
        _attribute("displayName", required=True, uniqueness="server"),
        _attribute("members", "complex", multi=True, subAttributes=sub[:3]),
    ]
    return [
        {
            "schemas": [SCHEMA],
            "id": urn,
            "name": name,
            "attributes": attributes,
            "meta": {
                "resourceType": "Schema",
                "location": request.build_absolute_uri(reverse("scim:schema", args=[urn])),
            },
        }
        for urn, name, attributes in ((USER, "User", user), (GROUP, "Group", group))
    ]


ALWAYS_RETURNED = {"schemas", "id", "meta"}


def project(document: dict[str, Any], query: Any) -> dict[str, Any]:
    """The document with only `attributes`, or without `excludedAttributes` (top-level names,
    with or without their schema URN; id and schemas are always returned)."""

    def names(key: str) -> set[str]:
        raw = str(query.get(key, "") or "")
        return {a.strip().split(":")[-1].split(".")[0].lower() for a in raw.split(",") if a.strip()}

    wanted, unwanted = names("attributes"), names("excludedAttributes")
    if wanted:
        return {k: v for k, v in document.items() if k in ALWAYS_RETURNED or k.lower() in wanted}
    return {k: v for k, v in document.items() if k in ALWAYS_RETURNED or k.lower() not in unwanted}
