"""`voxloop text analyze | evaluate | backfill | taxonomy install`: one JSON object per input
line, a table per file, bad input as one line and a non-zero exit."""

from __future__ import annotations

import io
import json

import pytest

from tests.closedloop.support import submit
from tests.surveys.builders import store_visit_survey
from tests.textanalytics.support import DATA
from voxloop.cli import run
from voxloop.textanalytics.models import CommentAnalysis, Taxonomy


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_analyze_writes_one_object_per_line(tmp_path, capsys):
    path = tmp_path / "comments.txt"
    path.write_text("Great staff but the queue was awful\n\nレジで長く待たされました\n", "utf-8")
    assert run(["text", "analyze", str(path)]) == 0
    first, empty, third = _lines(capsys)
    assert {"language", "sentiment", "score", "themes"} <= set(first)
    assert first["line"] == 1 and {t["key"] for t in first["themes"]} >= {"staff", "queue"}
    assert (empty["line"], empty["sentiment"], empty["themes"]) == (2, "neutral", [])
    assert third["language"] == "ja" and third["sentiment"] == "negative"


def test_analyze_reads_a_csv_column_and_standard_input(tmp_path, capsys, monkeypatch):
    path = tmp_path / "export.csv"
    path.write_text('id,comment\n1,"Livrarea a întârziat, foarte dezamăgit"\n', "utf-8")
    assert run(["text", "analyze", str(path), "--column", "comment"]) == 0
    [row] = _lines(capsys)
    assert (row["line"], row["language"], row["sentiment"]) == (2, "ro", "negative")
    monkeypatch.setattr("sys.stdin", io.StringIO("服务很好\n"))
    assert run(["text", "analyze", "-", "--locale", "zh-Hant"]) == 0
    [row] = _lines(capsys)
    assert row["language"] == "zh-hant" and row["sentiment"] == "positive"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["text", "analyze", "/nonexistent.txt"], "no such file"),
        (["text", "analyze", "{csv}", "--column", "text"], "has no column 'text'"),
        (["text", "evaluate", "{csv}"], "needs a label"),
    ],
)
def test_bad_input_is_one_line(tmp_path, capsys, args, message):
    path = tmp_path / "export.csv"
    path.write_text("id,comment\n1,fine\n", "utf-8")
    assert run([a.replace("{csv}", str(path)) for a in args]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_evaluate_prints_accuracy_per_file(capsys):
    files = [str(DATA / "ja-labelled.tsv"), str(DATA / "zh-hant-labelled.tsv")]
    assert run(["text", "evaluate", *files, "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "| language | file | classes | n | accuracy | macro-F1 | mixed found |" in out
    assert "| ja | ja-labelled.tsv | 3 | 105 |" in out
    assert "| zh-hant | zh-hant-labelled.tsv | 3 | 105 |" in out


@pytest.mark.django_db
def test_install_then_backfill_analyses_every_comment(world, capsys):
    acme = world.acme
    assert run(["text", "taxonomy", "install", "retail", "--org", "acme"]) == 0
    assert run(["text", "taxonomy", "install", "b2b", "--org", "acme", "--unit", "AC2"]) == 0
    assert Taxonomy.objects.filter(organization_id=acme.root.organization_id).count() == 2
    survey = store_visit_survey(acme)
    for text in ("Lovely staff", "Dirty floor"):
        submit(survey, {"nps": 8, "comment": text}, unit=acme.units["c1r1s1"])
    submit(survey, {"nps": 9}, unit=acme.units["c1r1s1"])
    capsys.readouterr()
    assert run(["text", "backfill", "--org", "acme"]) == 0
    assert "acme: 3 responses looked at, 2 comments analysed." in capsys.readouterr().out
    assert run(["text", "backfill"]) == 0  # every organisation; nothing left to do
    out = capsys.readouterr().out
    assert "acme: 3 responses looked at, 0 comments analysed." in out
    assert CommentAnalysis.objects.count() == 2
    assert run(["text", "analyze", "-", "--org", "nope"]) == 1
