"""Past waves in bulk: another tool's export, or the demo's year of monthly pulses. The
answers are as anonymous as live ones (no person, no time of their own), comments and
reports masked alike. Decision 0042."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from voxloop.errors import InvalidInput
from voxloop.privacy.redaction import mask
from voxloop.pulse.models import Answer, Programme, Report, Wave
from voxloop.pulse.services import COMMENT_MAX, REPORT_MAX, require_admin, rotation
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import record_audit


@dataclass(frozen=True)
class PastAnswer:
    """One anonymous answer of a past wave (another tool's export, the demo)."""

    unit: OrgUnit
    enps: int | None
    drivers: dict[int, int]
    comment: str = ""


@transaction.atomic
def import_wave(
    *,
    actor: Scope,
    programme: Programme,
    opened_at: datetime,
    answers: list[PastAnswer],
    invited: int,
    reports: list[tuple[OrgUnit, str, str]] | None = None,
) -> Wave:
    """A past wave with its answers in bulk (nobody is invited now): the questions in turn,
    comments and reports masked like live ones."""
    require_admin(actor=actor, programme=programme)
    if any(not a.unit.path.startswith(programme.unit_path) for a in answers):
        raise InvalidInput("An answer's unit lies outside the programme.", "unit")
    last = programme.waves.order_by("-number").values_list("number", flat=True).first()
    number = (last or 0) + 1
    wave = Wave.objects.create(
        organization_id=programme.organization_id,
        programme=programme,
        number=number,
        opened_at=opened_at,
        question_ids=rotation(programme=programme, number=number),
        reminded_at=opened_at,
        invited=invited,
    )
    Answer.objects.bulk_create(
        [
            Answer(
                organization_id=programme.organization_id,
                wave=wave,
                unit_path=a.unit.path,
                enps=a.enps,
                drivers={str(k): v for k, v in a.drivers.items()},
                comment=mask(a.comment[:COMMENT_MAX]),
            )
            for a in answers
        ],
        batch_size=1000,
    )
    Report.objects.bulk_create(
        Report(
            organization_id=programme.organization_id,
            programme=programme,
            wave_number=number,
            unit=unit,
            unit_path=unit.path,
            category=category,
            text=mask(text[:REPORT_MAX]),
            reported_on=timezone.localdate(opened_at),
        )
        for unit, category, text in reports or []
    )
    record_audit(
        actor=actor, action="pulse.import_wave", target=programme, changes={"wave": number}
    )
    return wave
