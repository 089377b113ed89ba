"""Idea boards' part of erasing a person (`privacy.signals.contact_erasing`, decision 0012).

On a public board a person is known by their email: as a follower (the address, kept to tell
them of status changes) and, through the keyed hash of that address, as an author, commenter
and voter. Erasure deletes their follows (nobody mails them again), deletes their comments
(what a person wrote may identify them), takes their name off their ideas and masks their
details in the ideas' text, and re-keys their votes and ideas with a random key: the idea, its
votes and its rank stay as they were, and nothing left leads back to the address."""

from __future__ import annotations

import secrets

from django.db.models import Q

from voxloop.errors import InvalidInput
from voxloop.ideas import identity
from voxloop.ideas.models import Comment, Follower, Idea, Vote
from voxloop.privacy.redaction import KnownPerson, mask_known


def _keys(person: KnownPerson) -> list[str]:
    keys = []
    for address in person.emails:
        try:
            keys.append(identity.email_key(address))
        except InvalidInput:
            continue  # not an address anyone could have proven on a board
    return keys


def _erased_key() -> str:
    # Unique per row, so the one-vote constraint holds and no two rows can be tied together.
    return "x:" + secrets.token_hex(16)


def forget_person(*, organization_id: int, person: KnownPerson) -> dict[str, int]:
    keys = _keys(person)
    if not keys:
        return {}
    in_org = Q(idea__organization_id=organization_id)
    by_email = Q(pk__in=[])
    for address in person.emails:
        by_email |= Q(email__iexact=address)
    followers, _ = (
        Follower.objects.filter(in_org).filter(Q(follower_key__in=keys) | by_email).delete()
    )
    comments, _ = Comment.objects.filter(in_org, author_key__in=keys).delete()
    votes = list(Vote.objects.filter(in_org, voter_key__in=keys))
    for row in votes:
        row.voter_key = _erased_key()
    Vote.objects.bulk_update(votes, ["voter_key"])
    ideas = list(Idea.objects.filter(organization_id=organization_id, author_key__in=keys))
    for idea in ideas:
        idea.author_key, idea.author_name = _erased_key(), ""
        idea.title = mask_known(idea.title, person)[:200]
        idea.body = mask_known(idea.body, person)
    Idea.objects.bulk_update(ideas, ["author_key", "author_name", "title", "body"])
    return {
        "idea_followers": followers,
        "idea_comments": comments,
        "idea_votes": len(votes),
        "ideas": len(ideas),
    }
