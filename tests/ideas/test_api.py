"""The idea-boards API as a member: post, list by rank, vote once (a second vote is not
counted), and a moderator's status and merge; bad input is a 4xx naming the field."""

from __future__ import annotations

from tests.ideas.support import employee_board
from tests.surveys.api_client import ApiClient


def test_post_vote_once_and_moderate(world):
    acme = world.acme
    board = employee_board(acme)
    store = ApiClient(membership=acme.members["store"])
    created = store.post(f"/idea-boards/{board.pk}/ideas", {"title": "Night shelf fill"})
    assert created.status_code == 201, created.content
    idea = created.json()
    agent = ApiClient(membership=acme.members["agent"])
    first = agent.post(f"/ideas/{idea['id']}/votes").json()
    second = agent.post(f"/ideas/{idea['id']}/votes").json()
    assert (first["counted"], second["counted"], second["votes"]) == (True, False, 2)
    listed = store.get(f"/idea-boards/{board.pk}/ideas", order="rank").json()
    assert [i["id"] for i in listed["items"]] == [idea["id"]]
    admin = ApiClient(membership=acme.members["admin"])
    refused = admin.post(f"/ideas/{idea['id']}/status", {"status": "declined"})
    assert refused.status_code == 400 and "reason" in refused.content.decode()
    other = store.post(f"/idea-boards/{board.pk}/ideas", {"title": "Night fill"}).json()
    merged = admin.post(f"/ideas/{other['id']}/merge", {"into": idea["id"]})
    assert merged.status_code == 200 and merged.json()["votes"] == 2  # store voted for both
    assert store.post(f"/idea-boards/{board.pk}/ideas", {"title": ""}).status_code == 422
