"""The mypy baseline may only shrink: bin/typecheck_baseline.py's rules, on made-up output."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "mypy-baseline.txt"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "typecheck_baseline", ROOT / "bin" / "typecheck_baseline.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tb = _script()

OUTPUT = """\
src/voxloop/a.py:3: error: Function is missing a type annotation  [no-untyped-def]
src/voxloop/a.py:9:5: error: Incompatible return value type  [return-value]
src/voxloop/a.py:9: note: a note is no error
src/voxloop/b.py:1: error: Name "x" is not defined  [name-defined]
"""


def test_errors_are_counted_per_file_and_notes_are_not():
    assert tb.counts(OUTPUT) == Counter({"src/voxloop/a.py": 2, "src/voxloop/b.py": 1})


def test_the_check_passes_at_or_below_the_baseline():
    baseline = Counter({"src/voxloop/a.py": 2, "src/voxloop/b.py": 3})
    assert tb.check(Counter({"src/voxloop/a.py": 2, "src/voxloop/b.py": 1}), baseline) == []


def test_a_file_with_more_errors_fails_even_when_the_total_shrinks():
    baseline = Counter({"src/voxloop/a.py": 1, "src/voxloop/b.py": 5})
    problems = tb.check(Counter({"src/voxloop/a.py": 2, "src/voxloop/b.py": 1}), baseline)
    assert problems == ["more errors than the baseline in src/voxloop/a.py (1 → 2)"]


def test_a_new_file_with_errors_and_a_larger_total_fail():
    baseline = Counter({"src/voxloop/a.py": 1})
    problems = tb.check(Counter({"src/voxloop/a.py": 1, "src/voxloop/new.py": 1}), baseline)
    assert problems == [
        "more errors than the baseline in src/voxloop/new.py (0 → 1)",
        "2 errors in all, the baseline allows 1",
    ]


def test_the_update_writes_a_smaller_baseline():
    baseline = Counter({"src/voxloop/a.py": 3, "src/voxloop/b.py": 1})
    found = Counter({"src/voxloop/a.py": 1})
    assert tb.refuse_update(found, baseline) == []
    assert tb.render(found) == tb.HEADER + "1 src/voxloop/a.py\n"


def test_the_update_refuses_a_larger_total():
    problems = tb.refuse_update(Counter({"src/voxloop/a.py": 4}), Counter({"src/voxloop/a.py": 3}))
    assert problems[0] == "the total would grow from 3 to 4"


def test_the_update_refuses_growth_in_a_listed_file_paid_for_by_fixes_elsewhere():
    baseline = Counter({"src/voxloop/a.py": 1, "src/voxloop/b.py": 5})
    problems = tb.refuse_update(Counter({"src/voxloop/a.py": 2}), baseline)
    assert problems == ["these files would have more errors: src/voxloop/a.py (1 → 2)"]


def test_the_update_follows_code_moved_to_a_new_module():
    baseline = Counter({"src/voxloop/distribution/sms.py": 2})
    moved = Counter({"src/voxloop/distribution/sms/sending.py": 2})
    assert tb.refuse_update(moved, baseline) == []


def test_the_script_fails_with_the_way_to_fix(tmp_path, capsys):
    baseline = tmp_path / "baseline.txt"
    baseline.write_text(tb.HEADER + "1 src/voxloop/a.py\n", encoding="utf-8")
    output = tmp_path / "mypy.txt"
    output.write_text(OUTPUT, encoding="utf-8")
    assert tb.main(str(baseline), str(output), "") == 1
    assert tb.main(str(baseline), str(output), "--update") == 1
    printed = capsys.readouterr().out
    assert "src/voxloop/b.py:1: error" in printed
    assert tb.HOW_TO_FIX in printed
    assert baseline.read_text(encoding="utf-8") == tb.HEADER + "1 src/voxloop/a.py\n"


def test_the_committed_baseline_names_only_files_that_exist():
    """A module moved or deleted leaves its count behind as room for new errors."""
    listed = tb.parse_baseline(BASELINE.read_text(encoding="utf-8"))
    assert listed, "the baseline is empty: delete it and this test once it reaches zero"
    assert [name for name in listed if not (ROOT / name).is_file()] == []
