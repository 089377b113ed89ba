"""Calling the JSON API as a member: a bearer token for their membership."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from voxloop.accounts.services import create_token


class ApiClient:
    def __init__(self, membership=None, user=None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if membership is not None:
            secret = create_token(membership=membership, name="tests").secret
            self.headers["Authorization"] = f"Bearer {secret}"
        elif user is not None:
            self.client.force_login(user)

    def call(self, method: str, path: str, body: Any = None, raw: str | None = None, **headers):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if data is not None or method.lower() != "get":
            # An empty body stays empty, as from `curl -X POST`, not an empty multipart form.
            kwargs.update(data=data or "", content_type="application/json")
        return getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None, **headers):
        return self.call("post", path, body, **headers)

    def patch(self, path: str, body: Any = None):
        return self.call("patch", path, body)

    def delete(self, path: str):
        return self.call("delete", path)


def as_member(org, name: str) -> ApiClient:
    return ApiClient(membership=org.members[name])
