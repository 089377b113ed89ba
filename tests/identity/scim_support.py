"""A SCIM client as identity providers are: the organisation's bearer token, JSON bodies."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from voxloop.identity import services
from voxloop.tenancy.scoping import Scope


class Scim:
    def __init__(self, scope: Scope) -> None:
        self.secret = services.create_scim_token(actor=scope, name="idp").secret
        self.client = Client()

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        data = json.dumps(body) if body is not None else None
        return self.client.generic(
            method,
            f"/scim/v2/{path}",
            data=data or "",
            content_type="application/scim+json",
            HTTP_AUTHORIZATION=f"Bearer {self.secret}",
            **extra,
        )

    def get(self, path: str, **query: str) -> Any:
        return self.client.get(
            f"/scim/v2/{path}", query, HTTP_AUTHORIZATION=f"Bearer {self.secret}"
        )
