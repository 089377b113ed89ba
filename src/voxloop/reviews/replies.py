"""Owner replies to reviews: drafted from a playbook ("Reply to an online review") in the
review's language, then posted through the connector where the provider allows it (Google
Business Profile, App Store, Google Play, Trustpilot with a business user's token), else
handed back with a link to paste it on the provider's own page. Every draft, post and
hand-over is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from voxloop.closedloop import selectors as closedloop_selectors
from voxloop.closedloop import services as closedloop_services
from voxloop.errors import DomainError, InvalidInput
from voxloop.reviews import fetching
from voxloop.reviews.connectors import connector
from voxloop.reviews.connectors.base import ProviderError, posts_replies
from voxloop.reviews.models import ReplyStatus, Review, ReviewReply
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

MAX_REPLY = 4000  # Google's limit is 4,096 characters; App Store's 5,970


def base_language(code: str) -> str:
    return (code or "").split("-")[0].split("_")[0].lower()


def reply_templates(scope: Scope, review: Review) -> list:
    """Reply playbooks the reader may use, those in the review's language first, then those
    for any language; other languages are left out."""
    try:
        playbooks = closedloop_selectors.visible_playbooks(scope).filter(kind="review_reply")
    except DomainError:
        return []
    language = base_language(review.language)
    mine = [p for p in playbooks if base_language(p.language) == language and language]
    anyone = [p for p in playbooks if not p.language]
    return mine + anyone


def draft(scope: Scope, review: Review, playbook_id: int | None) -> str:
    """The text a playbook gives for this review, merge fields filled."""
    if playbook_id is None:
        return ""
    found = next((p for p in reply_templates(scope, review) if p.pk == playbook_id), None)
    if found is None:
        raise InvalidInput("No such reply template.", "playbook")
    first = review.author_name.split(" ")[0] if review.author_name != fetching.ERASED else ""
    agent = ""
    if scope.user_id:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=scope.user_id).first()
        agent = (user.get_full_name() or user.get_username()) if user else ""
    values = {
        "first_name": first,
        "last_name": "",
        "unit": review.unit.name,
        "staff": "",
        "case": "",
        "agent": agent,
        "score": str(review.rating),
        "company": review.source.name,
    }
    return closedloop_services.merge_playbook(template=found.body, values=values)


@dataclass
class ReplyOutcome:
    reply: ReviewReply
    posted: bool
    open_url: str  # where to paste it by hand when it was not posted


def reply_url(review: Review) -> str:
    if review.location_id and review.location and review.location.public_url:
        return review.location.public_url
    return review.url


def send_reply(
    *,
    scope: Scope,
    review: Review,
    text: str,
    case_id: int | None = None,
    now: datetime | None = None,
) -> ReplyOutcome:
    """Post the reply through the connector when it can, else keep it to be posted by hand."""
    scope.require(Capability.ACT)
    if not scope.covers_path(review.unit_path) or review.organization_id != scope.organization_id:
        raise InvalidInput("No such review.", "review")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A reply needs some text.", "text")
    if len(text) > MAX_REPLY:
        raise InvalidInput(f"A reply is at most {MAX_REPLY} characters.", "text")
    now = now or timezone.now()
    provider = connector(review.source.kind)
    reply = ReviewReply(
        review=review,
        organization_id=review.organization_id,
        text=text,
        language=review.language,
        author_id=scope.user_id,
        case_id=case_id,
        created_at=now,
    )
    posted = False
    config = fetching.config_of(review.source)
    if provider is not None and posts_replies(provider, config) and review.location is not None:
        try:
            provider.post_reply(config, review.location.external_id, review.external_id, text)
            posted = True
        except ProviderError as error:
            reply.status, reply.error = ReplyStatus.FAILED, str(error)[:500]
    if posted:
        reply.status, reply.posted_at = ReplyStatus.POSTED, now
    elif reply.status != ReplyStatus.FAILED:
        reply.status = ReplyStatus.COPIED
    with transaction.atomic():
        reply.save()
        if posted:
            Review.objects.filter(pk=review.pk).update(reply_text=text, reply_at=now)
        record_audit(
            actor=scope,
            action="reviews.reply",
            target=review,
            changes={"status": reply.status, "case": case_id, "chars": len(text)},
        )
    if case_id:
        closedloop_services.note_review_reply(actor=scope, case_id=case_id, text=text)
    return ReplyOutcome(reply, posted, "" if posted else reply_url(review))
