"""The demo's idea boards: a customer board with ideas in four languages and votes, an
employee board, duplicates merged, statuses with reasons and two ideas turned into plans."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from voxloop.ideas.demo import add_ideas
from voxloop.ideas.models import Idea, Status


def test_the_demo_boards(world):
    acme = world.acme
    memberships = list(acme.members.values())
    boards = add_ideas(
        acme.system,
        acme.root,
        memberships,
        random.Random(1),
        datetime(2026, 12, 1, tzinfo=UTC),
        customer_ideas=48,
    )
    customer = Idea.objects.filter(board=boards["customers"])
    assert customer.count() == 48
    assert set(customer.values_list("language", flat=True)) == {"en", "zh-hans", "ja", "ro"}
    assert customer.filter(status=Status.MERGED).exists()
    planned = Idea.objects.filter(organization_id=acme.root.organization_id, plan__isnull=False)
    assert {i.board_id for i in planned} == {b.pk for b in boards.values()}
    top = customer.exclude(status=Status.MERGED).order_by("-votes_count").first()
    assert planned.get(board=boards["customers"]).votes_count >= top.votes_count // 2
    assert Idea.objects.filter(board=boards["employees"]).count() == 60
    assert max(customer.values_list("votes_count", flat=True)) >= 80
    assert "https://shop.example.com" in boards["customers"].allowed_origins
