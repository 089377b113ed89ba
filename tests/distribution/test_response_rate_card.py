"""The dashboards' response-rate card counts the invitations of the viewer's own scope."""

from datetime import timedelta

from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.surveys.builders import store_visit_survey
from voxloop.analytics import selectors as analytics
from voxloop.analytics.filters import parse
from voxloop.distribution.models import Invitation, InvitationStatus
from voxloop.distribution.selectors import response_rate_counts


def _invite(org, contact, survey, completed: bool, sent_days_ago: int = 1, **fields):
    sent = timezone.now() - timedelta(days=sent_days_ago)
    return Invitation.objects.create(
        organization_id=org.root.organization_id,
        unit_path=contact.unit_path,
        survey=survey,
        contact=contact,
        channel="email",
        status=InvitationStatus.COMPLETED if completed else InvitationStatus.SENT,
        sent_at=sent,
        completed_at=sent + timedelta(hours=2) if completed else None,
        **fields,
    )


def test_store_manager_sees_their_stores_rate_and_the_director_the_whole(world):
    acme = world.acme
    survey = store_visit_survey(acme)
    mine = add_contact(acme, "c1r1s1", "M1")
    next_door = add_contact(acme, "c1r1s2", "N1")
    _invite(acme, mine, survey, completed=True)
    _invite(acme, mine, survey, completed=False)
    _invite(acme, mine, survey, completed=False, bounced_at=timezone.now())  # never arrived
    _invite(acme, mine, survey, completed=True, sent_days_ago=200)  # outside the period
    _invite(acme, next_door, survey, completed=True)
    filters = parse({})  # the default period: the last weeks
    assert response_rate_counts(acme.scope("store"), filters) == (2, 1)
    assert response_rate_counts(acme.scope("admin"), filters) == (3, 2)
    cards = analytics.kpis(analytics.context(acme.scope("store"), filters))
    (rate,) = [c for c in cards if c["metric"] == "response_rate"]
    assert rate["figure"]["value"] == 50.0
    assert rate["figure"]["n"] == 2


def test_other_organisations_invitations_never_count(world):
    acme, other = world.acme, world.other
    survey = store_visit_survey(acme)
    _invite(acme, add_contact(acme, "c1r1s1", "M1"), survey, completed=True)
    filters = parse({})
    assert response_rate_counts(acme.scope("store"), filters) == (1, 1)
    assert response_rate_counts(other.scope("admin"), filters) == (0, 0)
