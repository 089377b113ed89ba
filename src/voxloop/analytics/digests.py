"""Weekly digest emails: each manager and viewer gets their scope's KPIs with the change and
whether it is significant (churn among them once churn is recorded), their cases and SLA
compliance, their online reviews, their best and weakest units, the themes customers wrote
about most, and a few notable comments (managers only: a viewer reads aggregates) — in the
reader's own language.

The periodic task runs hourly; a manager is due when their last digest is at least
ANALYTICS_DIGEST_DAYS (default 7) old. A failed send leaves them due, so the next run retries.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation

from voxloop.accounts import selectors as account_selectors
from voxloop.analytics import churn, dashboard, filters, hooks, response_reads, selectors
from voxloop.analytics.models import DigestSubscription, Frequency, ViewDigest
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import Membership, Role
from voxloop.tenancy.scoping import Scope

log = logging.getLogger(__name__)
# Viewers get theirs too, without comments (they read aggregates only).
RECIPIENT_ROLES = (Role.MANAGER, Role.VIEWER)


def digest_days() -> int:
    return int(getattr(settings, "ANALYTICS_DIGEST_DAYS", 7))


def due_memberships(now: datetime) -> list[Membership]:
    """Managers and viewers with an email address whose digest is due and who have not
    opted out."""
    cutoff = now - timedelta(days=digest_days()) + timedelta(minutes=5)
    opted_out = DigestSubscription.objects.filter(enabled=False).values("membership_id")
    recent = DigestSubscription.objects.filter(last_sent_at__gt=cutoff).values("membership_id")
    return list(
        tenancy_selectors.members_with_roles(RECIPIENT_ROLES)
        .exclude(Q(user__email="") | Q(pk__in=opted_out) | Q(pk__in=recent))
        .filter(user__is_active=True)
        .order_by("pk")
    )


def digest_for(membership: Membership, now: datetime) -> dict[str, Any]:
    """The digest's content for one manager: everything through their scope."""
    end = timezone.localtime(now).date() - timedelta(days=1)
    chosen = filters.parse(
        {"start": (end - timedelta(days=digest_days() - 1)).isoformat(), "end": end.isoformat()},
        today=end,
    )
    return content_for(membership, chosen)


def content_for(membership: Membership, chosen: filters.Filters) -> dict[str, Any]:
    """A digest's content for the filters, read through the membership's scope."""
    scope = Scope.of(membership)
    ctx = selectors.context(scope, chosen)
    chosen = ctx.filters
    units = selectors.units(ctx)
    peers = units["children"] or units["siblings"]
    ranked = sorted(
        (u for u in peers if u["value"] is not None and not u["low_sample"]),
        key=lambda u: -u["value"],
    )
    comments = response_reads.verbatims(ctx, limit=30) or []  # None: aggregates only
    notable = [c for c in comments if c["nps"] is not None and c["nps"] <= 6][:3]
    notable += [c for c in comments if c["nps"] is not None and c["nps"] >= 9][:2]
    lost = churn.churn(ctx)
    return {
        "membership": membership,
        "unit": ctx.node,
        "start": chosen.start,
        "end": chosen.end,
        "kpis": selectors.kpis(ctx) + ([churn.kpi_card(lost)] if lost else []),
        "cases": selectors.case_metrics(ctx),
        # Online reviews of the same units and days (the reviews app's `review_metrics`).
        "reviews": dashboard.review_metrics(ctx),
        "top": ranked[:3],
        "bottom": ranked[-3:][::-1] if len(ranked) > 3 else [],
        "comments": notable,
        # What customers wrote about most (text analytics' `top_themes` hook): figures only.
        "themes": hooks.call("top_themes", ctx) or [],
        "base_url": settings.BASE_URL.rstrip("/"),
        "dashboard_path": "/analytics/",
    }


def _mail(content: dict[str, Any], subject_template: str, to: str) -> None:
    subject = render_to_string(subject_template, content).strip()
    text = render_to_string("analytics/email/digest.txt", content)
    html = render_to_string("analytics/email/digest.html", content)
    message = EmailMultiAlternatives(subject, text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_digest(membership: Membership, now: datetime, language: str | None = None) -> bool:
    """One manager's digest, subject and body in their own language (their profile's, else
    the installation's LANGUAGE_CODE)."""
    language = language or account_selectors.preferred_language(membership.user)
    with translation.override(language):
        content = digest_for(membership, now)
        _mail(content, "analytics/email/digest_subject.txt", membership.user.email)
    DigestSubscription.objects.update_or_create(
        membership=membership, defaults={"last_sent_at": now}
    )
    return True


def send_due_digests(now: datetime | None = None) -> int:
    """Send every digest that is due; returns how many went out."""
    now = now or timezone.now()
    sent = 0
    due = due_memberships(now)
    languages = account_selectors.preferred_languages({m.user_id for m in due})
    for membership in due:
        try:
            sent += send_digest(membership, now, languages[membership.user_id])
        except Exception:  # one unreachable mailbox must not stop the others
            log.exception("digest for membership %s failed; retried next run", membership.pk)
    return sent


# --- digests of saved views (decision 0025) ----------------------------------------------------

VIEW_DIGEST_DAYS = {Frequency.WEEKLY: 7, Frequency.MONTHLY: 30}


def due_view_digests(now: datetime) -> list[ViewDigest]:
    """Subscriptions to a saved view that are due (weekly: 7 days after the last one, monthly:
    30), for active people with an email address."""
    grace = timedelta(minutes=5)  # the hourly run may start a little early
    never = Q(last_sent_at__isnull=True)
    due = Q()
    for frequency, days in VIEW_DIGEST_DAYS.items():
        since = now - timedelta(days=days) + grace
        due |= Q(frequency=frequency) & (never | Q(last_sent_at__lte=since))
    return list(
        ViewDigest.objects.filter(due)
        .exclude(membership__user__email="")
        .filter(membership__user__is_active=True)
        .select_related("view", "membership__user", "membership__unit")
        .order_by("pk")
    )


def send_view_digest(subscription: ViewDigest, now: datetime, language: str) -> bool:
    """The saved view's figures as its subscriber may see them: the view's filters re-applied
    under the subscriber's own scope, its period read on yesterday (whole days). A view no
    longer shared with them is not sent, and the subscription goes."""
    membership = subscription.membership
    scope = Scope.of(membership)
    view = selectors.saved_views(scope).filter(pk=subscription.view_id).first()
    if view is None:
        subscription.delete()
        return False
    yesterday = timezone.localtime(now).date() - timedelta(days=1)
    with translation.override(language):
        chosen = filters.parse(QueryDict(view.query), today=yesterday)
        content = {
            **content_for(membership, chosen),
            "view": view,
            "dashboard_path": f"/analytics/?{view.query}",
        }
        _mail(content, "analytics/email/view_digest_subject.txt", membership.user.email)
    ViewDigest.objects.filter(pk=subscription.pk).update(last_sent_at=now)
    return True


def send_due_view_digests(now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    due = due_view_digests(now)
    languages = account_selectors.preferred_languages({d.membership.user_id for d in due})
    for subscription in due:
        try:
            sent += send_view_digest(subscription, now, languages[subscription.membership.user_id])
        except Exception:  # one unreachable mailbox or broken view must not stop the others
            log.exception("digest of view subscription %s failed; retried", subscription.pk)
    return sent
