"""Who is asking, in the permission-matrix tests: an actor name (a member's role, "other_admin"
of the second organisation, "loner" without a membership, "anonymous") to an API or browser
client, and what the matrix expects back ("login" for a redirect to the sign-in page)."""

from __future__ import annotations

from django.test import Client

from tests.surveys.api_client import ApiClient


def membership_of(world, actor):
    return world.other.members["admin"] if actor == "other_admin" else world.acme.members[actor]


def api_as(world, actor: str) -> ApiClient:
    if actor == "anonymous":
        return ApiClient()
    if actor == "loner":
        return ApiClient(user=world.loner)
    return ApiClient(membership=membership_of(world, actor))


def browser_as(world, actor: str) -> Client:
    client = Client()
    if actor == "loner":
        client.force_login(world.loner)
    elif actor != "anonymous":
        client.force_login(membership_of(world, actor).user)
    return client


def expect(answer, expected, *about) -> None:
    if expected == "login":
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"], (
            *about,
            f"got {answer.status_code}, want login",
        )
    else:
        assert answer.status_code == expected, (
            *about,
            f"got {answer.status_code}, want {expected}",
            answer.content[:200],
        )
