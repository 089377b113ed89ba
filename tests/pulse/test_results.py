"""A unit's pulse results behind the floor: a team under it shows nothing, and its answers
are merged into its parent with a sibling's so that the parent minus what is shown never
isolates fewer than the floor; eNPS carries its interval and waves are compared only when
both sides may be shown."""

from __future__ import annotations

from tests.pulse.support import answer_all, programme, staff
from voxloop.pulse import services
from voxloop.pulse.models import Invite
from voxloop.pulse.results import unit_results


def _shown(p, unit) -> list[bool]:
    return [r.shown for r in unit_results(p, unit.path, comments=True)]


def test_a_small_team_is_merged_and_differencing_reveals_nobody(world):
    acme = world.acme
    staff(acme, "c1r1s1", 3)
    staff(acme, "c1r1s2", 6)
    p = programme(acme, "c1r1")
    wave = services.send_now(actor=acme.system, programme=p)
    s1, s2, region = (acme.units[k] for k in ("c1r1s1", "c1r1s2", "c1r1"))
    answer_all(wave, s1.path, 0, limit=3)
    answer_all(wave, s2.path, 10)  # its six and its manager
    [small] = unit_results(p, s1.path, comments=True)
    [big] = unit_results(p, s2.path, comments=True)
    [parent] = unit_results(p, region.path, comments=True)
    # Store 1 (3 people) is under the floor; store 2 alone would be shown, but then the
    # region minus store 2 would be store 1's three detractors: store 2 is hidden with it.
    assert not small.shown and not big.shown and small.enps is None
    assert parent.shown and parent.n == 10  # 3 at store 1, 7 at store 2 (its manager too)
    shown_children = [r for r in (small, big) if r.shown]
    assert parent.n - sum(r.n for r in shown_children) >= p.floor


def test_enps_has_an_interval_and_a_change_needs_both_waves_shown(world):
    acme = world.acme
    staff(acme, "c1r1s2", 5)
    p = programme(acme, "c1r1s2")
    s2 = acme.units["c1r1s2"]
    first = services.send_now(actor=acme.system, programme=p)
    answer_all(first, s2.path, 9)
    second = services.send_now(actor=acme.system, programme=p)
    answer_all(second, s2.path, 3, limit=2)
    third = services.send_now(actor=acme.system, programme=p)
    answer_all(third, s2.path, 2)
    one, two, three = unit_results(p, s2.path, comments=True)
    assert one.shown and one.enps.value == 100.0 and one.enps.low < 100.0
    assert one.enps.low_sample  # fewer than 30: shown, marked, not presented as a fact
    assert not two.shown  # two answers: too few
    assert three.shown and three.enps_change is not None  # against wave 1, not wave 2
    assert three.enps_change.reason == "low_sample"
    assert three.drivers and three.drivers[0].figure.value == 4.0


def test_comments_show_only_with_a_shown_wave_and_masked(world):
    acme = world.acme
    staff(acme, "c1r1s2", 5)
    p = programme(acme, "c1r1s2")
    s2 = acme.units["c1r1s2"]
    wave = services.send_now(actor=acme.system, programme=p)
    invites = list(Invite.objects.filter(wave=wave).order_by("pk"))
    services.answer(invite=invites[0], enps=4, drivers={}, comment="Ring me: ann@example.test")
    [few] = unit_results(p, s2.path, comments=True)
    assert not few.shown and few.comments == []
    for invite in invites[1:5]:
        services.answer(invite=invite, enps=8, drivers={})
    [shown] = unit_results(p, s2.path, comments=True)
    assert shown.shown and len(shown.comments) == 1
    assert "ann@example.test" not in shown.comments[0]
    [figures_only] = unit_results(p, s2.path, comments=False)
    assert figures_only.comments == []
