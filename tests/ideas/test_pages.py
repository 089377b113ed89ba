"""The idea boards' pages: a customer proves an email on the public board (/ideas/p/<key>/,
/verify/, /v/<token>/), then posts, votes once, comments and follows; robots (the honeypot)
and floods (the rate limit per address) are turned away; a tampered or foreign link proves
nothing. Members post and vote on an employee board; moderators set a status, merge, theme
and plan from the idea page and clear the moderation queue."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from tests.factories import YES
from tests.ideas.support import customer_board, employee_board, member
from voxloop.ideas import services
from voxloop.ideas.models import Idea, Status, Visibility


def _verified_client(board, address="cleo@example.test") -> Client:
    client = Client()
    answer = client.post(f"/ideas/p/{board.public_key}/verify/", {"email": address, "name": "Cleo"})
    assert answer.status_code == 200
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    answer = client.get(link)
    assert answer.status_code == 302
    return client


def test_a_customer_verifies_posts_and_votes_once(world):
    board = customer_board(world.acme)
    anonymous = Client()
    assert anonymous.get(f"/ideas/p/{board.public_key}/").status_code == 200
    # Not verified: a post changes nothing.
    anonymous.post(f"/ideas/p/{board.public_key}/", {"title": "Sneaky"})
    assert not Idea.objects.filter(board=board).exists()
    client = _verified_client(board)
    answer = client.post(f"/ideas/p/{board.public_key}/", {"title": "Paper receipts optional"})
    assert answer.status_code == 302
    idea = Idea.objects.get(board=board)
    assert idea.visibility == Visibility.PENDING and idea.votes_count == 1
    services.moderate_idea(actor=world.acme.scope("admin"), idea=idea, publish=True)
    page = client.get(f"/ideas/p/{board.public_key}/")
    assert b"Paper receipts optional" in page.content
    other = _verified_client(board, "dan@example.test")
    path = f"/ideas/p/{board.public_key}/{idea.pk}/"
    for _ in range(2):
        assert other.post(path, {"action": "vote"}).status_code == 302
    idea.refresh_from_db()
    assert idea.votes_count == 2
    # The same person in another browser, address written differently: still one vote.
    again = _verified_client(board, "DAN@example.test")
    again.post(path, {"action": "vote"})
    idea.refresh_from_db()
    assert idea.votes_count == 2
    assert other.post(path, {"action": "comment", "body": "Yes please"}).status_code == 302
    assert other.post(path, {"action": "dance"}).status_code == 400


def test_robots_floods_and_forged_links_are_turned_away(world, settings):
    board = customer_board(world.acme)
    client = Client()
    client.post(
        f"/ideas/p/{board.public_key}/verify/", {"email": "bot@example.test", "website": "x"}
    )
    assert mail.outbox == []
    assert client.get(f"/ideas/p/{board.public_key}/v/forged-token/").status_code == 400
    foreign = customer_board(world.other)
    client = _verified_client(foreign, "eve@example.test")
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/ideas/p/{board.public_key}/v/{token}/").status_code == 400
    settings.IDEAS_PUBLIC_LIMITS = {"write": 2}
    client = _verified_client(board, "fay@example.test")
    codes = [
        client.post(f"/ideas/p/{board.public_key}/", {"title": f"Idea {i}"}).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Client().get("/ideas/p/not-a-board/").status_code == 404
    # An employee board has no public page.
    assert Client().get(f"/ideas/p/{employee_board(world.acme).public_key}/").status_code == 404


def test_members_post_vote_and_moderators_decide(world, django_capture_on_commit_callbacks):
    acme = world.acme
    board = employee_board(acme)
    store = Client()
    store.force_login(acme.user("store"))
    answer = store.post(f"/ideas/{board.pk}/post/", {"title": "Rota swaps in the app"})
    assert answer.status_code == 302
    idea = Idea.objects.get(board=board)
    assert store.get(f"/ideas/{board.pk}/").status_code == 200
    assert store.get(f"/ideas/i/{idea.pk}/").status_code == 200
    assert store.post(f"/ideas/{board.pk}/post/", {"title": ""}).status_code == 400
    agent = Client()
    agent.force_login(acme.user("agent"))
    agent.post(f"/ideas/i/{idea.pk}/vote/")
    agent.post(f"/ideas/i/{idea.pk}/comment/", {"body": "+1"})
    idea.refresh_from_db()
    assert idea.votes_count == 2
    admin = Client()
    admin.force_login(acme.user("admin"))
    declined = admin.post(f"/ideas/i/{idea.pk}/status/", {"status": "declined"})
    assert declined.status_code == 400  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post(
            f"/ideas/i/{idea.pk}/status/", {"status": "under_review", "reason": "Looking"}
        )
    assert answer.status_code == 302 and len(mail.outbox) == 2
    other = services.post_idea(board=board, author=member(acme, "viewer"), title="Swap shifts")
    assert admin.post(f"/ideas/i/{other.pk}/merge/", {"into": idea.pk, **YES}).status_code == 302
    assert admin.post(f"/ideas/i/{idea.pk}/merge/", {"into": 999999}).status_code == 400
    assert admin.post(f"/ideas/i/{idea.pk}/merge/", {"into": idea.pk}).status_code == 400
    assert admin.post(f"/ideas/i/{idea.pk}/theme/", {"theme": "Scheduling"}).status_code == 302
    assert admin.post(f"/ideas/i/{idea.pk}/plan/", {"title": ""}).status_code == 302
    idea.refresh_from_db()
    assert idea.votes_count == 3 and idea.plan_id and idea.status == Status.PLANNED
    assert admin.get("/ideas/moderation/").status_code == 200
    assert admin.get("/ideas/").status_code == 200
