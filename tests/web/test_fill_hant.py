"""`bin/messages --fill-hant` drafts what zh_Hant lacks from zh_Hans and keeps what a person
wrote in zh_Hant (decision 0020)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

polib = pytest.importorskip("polib")
pytest.importorskip("opencc")

SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "fill_hant.py"


def _fill_hant():
    spec = importlib.util.spec_from_file_location("fill_hant", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fill


def _catalogue(path: Path, entries: list[tuple[str, str]], flags=()) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": path.parts[-3]}
    for msgid, msgstr in entries:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=list(flags)))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


def test_missing_entries_are_drafted_and_human_ones_kept(tmp_path):
    hans = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    hant = tmp_path / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
    _catalogue(hans, [("Action plans", "行动计划"), ("Software", "软件"), ("Later", "")])
    _catalogue(hant, [("Software", "軟件")])  # a reviewer's choice over OpenCC's 軟體
    assert _fill_hant()(hans) == 1
    result = {e.msgid: e.msgstr for e in polib.pofile(str(hant))}
    assert result == {"Action plans": "行動計劃", "Software": "軟件", "Later": ""}
    assert polib.pofile(str(hant)).metadata["Language"] == "zh_Hant"
