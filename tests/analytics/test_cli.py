"""`voxloop analytics rebuild`: recounts from raw responses; bad input is one line."""

from tests.analytics.support import respond
from voxloop.analytics.models import Rollup
from voxloop.cli import run


def test_rebuild_counts_every_response(world, survey, capsys):
    for nps in (10, 3, 8):
        respond(survey, world.acme.units["c1r1s1"], nps=nps)
    Rollup.objects.all().delete()
    assert run(["analytics", "rebuild", "acme"]) == 0
    assert "3 responses counted" in capsys.readouterr().out
    root = Rollup.objects.get(node_path=world.acme.root.path, facet="")
    assert (root.n, root.promoters, root.detractors) == (3, 1, 1)


def test_unknown_organisation_is_one_line(db, capsys):
    assert run(["analytics", "rebuild", "nope"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no organisation with slug 'nope'" in err[0]


def test_help_lists_the_command(capsys):
    run(["--help"])
    assert "analytics" in capsys.readouterr().out
