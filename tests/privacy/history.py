"""A customer with a history in every app (responses with personal data in their words, an
alert case with notes and messages, invitations, interactions, status history, consent
changes, an advocate flag) and a second customer whose data must stay untouched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tests.contacts.helpers import add_contact
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import casework, evaluation
from voxloop.closedloop import services as closedloop_services
from voxloop.closedloop.models import Advocate, Case
from voxloop.contacts import interactions, lifecycle
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Contact
from voxloop.distribution.models import Invitation, InvitationStatus
from voxloop.responses.models import Response
from voxloop.responses.services import Submission, submit

ANA = {
    "first_name": "Ana",
    "last_name": "Popescu",
    "email": "ana.popescu@example.ro",
    "phone": "+40 722 123 456",
    "attributes": {"tier": "gold", "birthday": "1986-10-13"},
}
ANA_COMMENT = "I am Ana Popescu, my card 4111 1111 1111 1111 was charged twice. Call 0722 123 456"
ANA_OTHER = "Email me at ana.popescu@example.ro"
NOTE = "Called Ana Popescu on 0722 123 456, she wants her money back (CNP 1861013042271)."
# What must not survive anywhere once Ana is erased.
ANA_TRACES = (
    "Popescu",
    "ana.popescu@example.ro",
    "722 123 456",
    "4111 1111",
    "CRM-4711",
    "1861013",
)


@dataclass
class History:
    survey: object
    ana: Contact
    bob: Contact
    detractor: Response
    promoter: Response
    bobs: Response
    case: Case
    invitation: Invitation


def _answer(survey, contact, unit, answers, day: int, channel: str = "web") -> Response:
    return submit(
        submission=Submission(
            survey=survey,
            answers=answers,
            unit=unit,
            contact=contact,
            channel=channel,
            submitted_at=datetime(2026, 11, day, 10, tzinfo=UTC),
        )
    ).response


def build_history(acme) -> History:
    admin = acme.scope("admin")
    survey = store_visit_survey(acme)
    store = acme.units["c1r1s1"]
    closedloop_services.create_rule(
        actor=admin,
        unit=acme.root,
        name="Detractor",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[{"type": "role", "role": "manager"}],
        webhooks=[{"kind": "slack", "url": "https://hooks.example.test/x"}],
        survey_ids=[survey.pk],
    )
    ana = add_contact(acme, "c1r1s1", "CRM-4711", **ANA)
    bob = add_contact(acme, "c1r1s1", "CRM-4712", first_name="Bob", email="bob@example.test")
    contact_services.set_consent(actor=admin, contact=ana, channel="sms", allowed=False)
    contact_services.define_interaction_type(
        actor=admin, unit=acme.root, key="visit", name="Store visit"
    )
    interactions.record_interactions(
        actor=admin,
        records=[
            {
                "type": "visit",
                "contact": "CRM-4711",
                "unit": store.code,
                "attributes": {"spent": 80},
            },
            {"type": "visit", "contact": "CRM-4712", "unit": store.code},
        ],
    )
    lifecycle.record_status(
        actor=admin, customer=ana, status="churned", reason="Moved away, phone 0722 123 456"
    )
    detractor = _answer(
        survey,
        ana,
        store,
        {
            "nps": 2,
            "improve": ["queue", "other"],
            "improve:other": ANA_OTHER,
            "comment": ANA_COMMENT,
        },
        day=3,
    )
    promoter = _answer(survey, ana, store, {"nps": 10, "csat": 5, "comment": "Lovely staff"}, day=4)
    bobs = _answer(
        survey,
        bob,
        store,
        {"nps": 3, "improve": ["staff"], "comment": "Rude, call 0733 000 111"},
        day=5,
    )
    [case] = evaluation.evaluate_response(response_id=detractor.pk)
    casework.add_note(actor=acme.scope("store"), case=case, text=NOTE)
    evaluation.evaluate_response(response_id=bobs.pk)
    Advocate.objects.create(
        organization_id=ana.organization_id,
        unit_path=store.path,
        contact=ana,
        response=promoter,
        flagged_at=datetime(2026, 11, 4, tzinfo=UTC),
    )
    invitation = Invitation.objects.create(
        organization_id=ana.organization_id,
        unit_path=store.path,
        survey=survey,
        contact=ana,
        channel="email",
        status=InvitationStatus.QUEUED,
        message_id="<4711@mail.example.test>",
        error="550 mailbox ana.popescu@example.ro full",
    )
    return History(survey, ana, bob, detractor, promoter, bobs, case, invitation)
