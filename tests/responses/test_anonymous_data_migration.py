"""The data migrations of decision 0016 on data stored before it: anonymous answers keyed
"inv:<ref>" and invitations stamped with their person's answer."""

from __future__ import annotations

import importlib
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from tests.analytics.anonymous_world import employee_survey
from voxloop.contacts.models import Contact
from voxloop.distribution.models import Invitation
from voxloop.responses import anonymity
from voxloop.responses.models import Response
from voxloop.responses.services import Submission, submit

rekey = importlib.import_module(
    "voxloop.responses.migrations.0006_anonymous_answers_keyed_one_way"
).key_anonymous_answers
forget = importlib.import_module(
    "voxloop.distribution.migrations.0005_anonymous_invitations_keep_no_answer"
).forget_answering


def test_old_links_are_keyed_one_way_or_forgotten_and_invitations_forget_the_answer(world):
    pulse = employee_survey(world.acme, "Pulse")
    store = world.acme.units["c1r1s1"]
    contact = Contact.objects.create(
        organization=store.organization, home_unit=store, unit_path=store.path, external_id="E-1"
    )
    now = timezone.now()
    recent, old = (
        Invitation.objects.create(
            organization=store.organization,
            survey=pulse,
            contact=contact,
            channel="email",
            status="completed",
            completed_at=now,
            started_at=now,
            clicked_at=now,
        )
        for _ in range(2)
    )
    answers = {
        recent: submit(
            submission=Submission(pulse, {"enps": 9}, unit=store, source_key=f"inv:{recent.ref}")
        ).response,
        old: submit(
            submission=Submission(
                pulse,
                {"enps": 2},
                unit=store,
                source_key=f"inv:{old.ref}",
                submitted_at=now - timedelta(days=70),
            )
        ).response,
    }
    rekey(apps, None)
    forget(apps, None)
    person = anonymity.person_of(contact.pk, recent.ref)
    month = anonymity.month_of(now)
    assert Response.objects.get(pk=answers[recent].pk).source_key == anonymity.source_key(
        pulse.organization_id, pulse.pk, person, month
    )
    assert Response.objects.get(pk=answers[old].pk).source_key is None
    for invitation in (recent, old):
        invitation.refresh_from_db()
        assert invitation.status == "clicked" and invitation.completed_at is None
        assert invitation.started_at is None
        assert timezone.localtime(invitation.clicked_at).hour == 0
