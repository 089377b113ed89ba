"""A person's erasure reaches idea boards: their follows and comments go, their name leaves
their ideas, their votes stay counted under a key that no longer leads to the address."""

from __future__ import annotations

from django.test import Client

from tests.contacts.helpers import add_contact
from tests.ideas.support import customer_board
from voxloop.ideas import identity, services
from voxloop.ideas.models import Comment, Follower, Idea, Vote
from voxloop.privacy import erasure


def test_erasing_an_address_keeps_the_idea_and_its_votes(world):
    acme = world.acme
    contact = add_contact(acme, "c1r1s1", "ANA", email="ana@example.test", last_name="Popescu")
    board = customer_board(acme)
    other = identity.public_person("bob@example.test", "Bob")
    idea = services.post_idea(board=board, author=other, title="Later opening")
    services.moderate_idea(actor=acme.system, idea=idea, publish=True)
    # Typed another way than the contact's address: still the same voter.
    ana = identity.public_person("Ana+ideas@Example.test", "Ana Popescu")
    own = services.post_idea(board=board, author=ana, title="Ask Ana Popescu about lockers")
    services.moderate_idea(actor=acme.system, idea=own, publish=True)
    services.vote(idea=idea, voter=ana)
    board.moderate_first = False
    board.save()
    services.add_comment(idea=idea, author=ana, body="Yes please")

    admin = Client()
    admin.force_login(acme.user("admin"))
    asked = admin.get(f"/contacts/{contact.pk}/erase/").content.decode()
    assert "On idea boards their follows and comments are deleted" in asked
    assert Follower.objects.filter(
        email__iexact="ana+ideas@example.test"
    ).exists()  # only rehearsed
    report = erasure.erase_contact(actor=acme.scope("admin"), contact_id=contact.pk)

    assert report.counts["idea_followers"] == 2 and report.counts["idea_votes"] == 2
    assert not Follower.objects.filter(email__icontains="ana").exists()
    assert not Comment.objects.filter(idea=idea).exists()
    assert not Vote.objects.filter(voter_key=ana.key).exists()
    idea.refresh_from_db()
    own.refresh_from_db()
    assert idea.votes_count == 2 and idea.votes.count() == 2
    assert own.votes_count == 1 and own.author_name == "" and own.author_key != ana.key
    assert "Popescu" not in own.title
    assert Idea.objects.get(pk=idea.pk).author_key == other.key  # nobody else's is touched
