"""Idea boards through their services: one vote per person (members and verified emails,
however the address is typed), merging without double votes, statuses with reasons and the
notices they send, moderation, plans and promoted comments; and scope: another unit's or
tenant's board and ideas are not found."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.ideas.support import customer_board, employee_board, member
from voxloop.errors import Forbidden, InvalidInput, NotFound
from voxloop.ideas import identity, selectors, services
from voxloop.ideas.models import Status, Visibility


def test_one_vote_per_member_and_the_author_votes_first(world):
    acme = world.acme
    board = employee_board(acme)
    idea = services.post_idea(board=board, author=member(acme, "store"), title="Self checkout")
    assert idea.votes_count == 1 and idea.visibility == Visibility.PUBLISHED
    voter = member(acme, "agent")
    assert services.vote(idea=idea, voter=voter) is True
    assert services.vote(idea=idea, voter=voter) is False
    idea.refresh_from_db()
    assert idea.votes_count == 2


def test_one_vote_per_email_however_it_is_written(world):
    board = customer_board(world.acme)
    idea = services.post_idea(
        board=board, author=identity.public_person("ann@example.test"), title="Later opening"
    )
    services.moderate_idea(actor=world.acme.system, idea=idea, publish=True)
    first = identity.public_person("Bob.Smith+ideas@Gmail.com")
    again = identity.public_person("bobsmith@googlemail.com")
    assert first.key == again.key
    assert services.vote(idea=idea, voter=first) is True
    assert services.vote(idea=idea, voter=again) is False
    idea.refresh_from_db()
    assert idea.votes_count == 2
    with pytest.raises(InvalidInput):
        identity.public_person("not an address")


def test_public_ideas_wait_for_moderation(world):
    board = customer_board(world.acme)
    idea = services.post_idea(
        board=board, author=identity.public_person("ann@example.test"), title="Dog bowls"
    )
    assert idea.visibility == Visibility.PENDING
    assert not selectors.public_ideas(board).exists()
    with pytest.raises(NotFound):
        services.vote(idea=idea, voter=identity.public_person("bob@example.test"))
    waiting, _ = selectors.moderation_queue(world.acme.scope("admin"))
    assert list(waiting) == [idea]
    services.moderate_idea(actor=world.acme.scope("admin"), idea=idea, publish=True)
    assert list(selectors.public_ideas(board)) == [idea]


def test_merging_combines_votes_without_counting_anyone_twice(world):
    acme = world.acme
    board = employee_board(acme)
    a = services.post_idea(board=board, author=member(acme, "store"), title="Longer breaks")
    b = services.post_idea(board=board, author=member(acme, "agent"), title="More breaks")
    for name in ("regional", "viewer"):
        services.vote(idea=a, voter=member(acme, name))
    for name in ("regional", "analyst"):  # the regional manager voted for both
        services.vote(idea=b, voter=member(acme, name))
    merged = services.merge(actor=acme.scope("admin"), duplicate=b, into=a)
    assert merged.votes_count == 5  # store, regional, viewer, agent, analyst
    b.refresh_from_db()
    assert b.status == Status.MERGED and b.merged_into_id == a.pk
    assert services.vote(idea=b, voter=member(acme, "analyst")) is False  # goes to a, once
    assert b not in selectors.ideas(acme.scope("store"), board)


def test_a_status_change_tells_voters_and_followers_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    acme = world.acme
    board = employee_board(acme)
    idea = services.post_idea(board=board, author=member(acme, "store"), title="Quiet hour")
    services.vote(idea=idea, voter=member(acme, "agent"))
    with pytest.raises(InvalidInput):
        services.set_status(actor=acme.scope("admin"), idea=idea, status="declined")
    with pytest.raises(Forbidden):
        services.set_status(actor=acme.scope("analyst"), idea=idea, status="planned")
    with pytest.raises(NotFound):  # the sibling store's manager does not moderate a root board
        services.set_status(actor=acme.scope("store"), idea=idea, status="planned")
    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(
            actor=acme.scope("admin"), idea=idea, status="declined", reason="Tills must stay open"
        )
    sent = sorted(m.to[0] for m in mail.outbox)
    assert sent == ["a-agent@example.test", "a-store@example.test"]
    assert "Tills must stay open" in mail.outbox[0].body


def test_an_idea_becomes_an_action_plan_that_says_where_it_came_from(world):
    acme = world.acme
    board = employee_board(acme)
    idea = services.post_idea(board=board, author=member(acme, "store"), title="Rota app")
    services.turn_into_plan(actor=acme.scope("admin"), idea=idea)
    idea.refresh_from_db()
    assert idea.plan is not None and idea.status == Status.PLANNED
    assert f"From idea #{idea.pk} (1 votes)" in idea.plan.description
    assert list(selectors.ideas_of_plan(acme.scope("admin"), idea.plan_id)) == [idea]


def test_boards_and_ideas_of_other_units_and_tenants_are_not_found(world):
    acme, other = world.acme, world.other
    store_board = employee_board(acme, "c1r1s2", name="Sibling store")
    idea = services.post_idea(board=store_board, author=member(acme, "sibling_store"), title="x")
    for reader in (acme.scope("store"), other.scope("admin")):
        with pytest.raises(NotFound):
            selectors.board(reader, store_board.pk)
        with pytest.raises(NotFound):
            selectors.idea(reader, idea.pk)
    assert store_board not in selectors.visible_boards(acme.scope("store"))
    # A company-wide board reaches every store; a board above is not moderated from below.
    root_board = employee_board(acme)
    assert root_board in selectors.visible_boards(acme.scope("store"))
    with pytest.raises(NotFound):
        selectors.moderated_board(acme.scope("store"), root_board.pk)
    with pytest.raises(NotFound):
        services.merge(actor=other.scope("admin"), duplicate=idea, into=idea)


def test_a_survey_comment_becomes_an_idea_with_personal_details_masked(world):
    from tests.surveys.builders import store_visit_survey
    from voxloop.responses.services import Submission, submit

    acme = world.acme
    survey = store_visit_survey(acme)
    comment = "Please add a click and collect locker, call me on 07700 900123"
    response = submit(
        submission=Submission(
            survey=survey, answers={"nps": 8, "comment": comment}, unit=acme.units["c1r1s1"]
        )
    ).response
    board = employee_board(acme)
    idea = services.promote_comment(
        actor=acme.scope("admin"), board=board, response_id=response.pk, title="Lockers"
    )
    assert idea.title == "Lockers" and "locker" in idea.body
    assert "07700 900123" not in idea.body
    assert idea.source_response_id == response.pk
    # Out of scope: the sibling store's manager cannot read the response, nor the board above.
    sibling_board = employee_board(acme, "c1r1s2")
    with pytest.raises(NotFound):
        services.promote_comment(
            actor=acme.scope("sibling_store"), board=sibling_board, response_id=response.pk
        )
    with pytest.raises(NotFound):
        services.promote_comment(
            actor=world.other.scope("admin"), board=board, response_id=response.pk
        )


def test_votes_added_in_bulk_count_one_per_person(world):
    from datetime import UTC, datetime

    acme = world.acme
    idea = services.post_idea(board=employee_board(acme), author=member(acme, "store"), title="x")
    when = datetime(2026, 11, 1, tzinfo=UTC)
    people = [identity.public_person(f"p{n}@example.test") for n in range(5)]
    assert services.add_votes(idea=idea, votes=[(p, when) for p in people + people]) == 5
    assert services.add_votes(idea=idea, votes=[(member(acme, "store"), when)]) == 0
    idea.refresh_from_db()
    assert idea.votes_count == 6 and idea.followers.count() == 6


def test_a_new_idea_gets_the_theme_text_analytics_finds(world):
    from voxloop.textanalytics import services as text_services

    acme = world.acme
    board = employee_board(acme)
    plain = services.post_idea(board=board, author=member(acme, "store"), title="Long queues")
    assert plain.theme == ""  # no taxonomy yet: nothing to suggest
    text_services.install_default_taxonomy(scope=acme.system, kind="retail")
    idea = services.post_idea(
        board=board, author=member(acme, "agent"), title="The queue at the checkout is too long"
    )
    assert idea.theme
    services.set_theme(actor=acme.system, idea=idea, theme="Tills")
    idea.refresh_from_db()
    assert idea.theme == "Tills"
