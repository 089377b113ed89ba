"""Compare mypy's errors per file with the baseline; see bin/typecheck.

The baseline lists errors that predate the type check. It may only shrink: a check fails when
any file, or the total, has more errors than the baseline; `--update` refuses to write a
baseline whose total is larger, or that raises the count of a file it already lists (a file
it does not list yet may appear only when the total does not grow: code moved to a new
module). New errors are fixed, never baselined (CONTRIBUTING.md, "Types").
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ERROR = re.compile(r"^(?P<file>[^:]+):\d+(?::\d+)?: error: ")
HEADER = "# mypy errors per file that predate the type check; may only shrink.\n"
HOW_TO_FIX = (
    "typecheck: fix these errors rather than baselining them: annotate the new code "
    "(CONTRIBUTING.md, 'Types')."
)


def counts(mypy_output: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in mypy_output.splitlines():
        if match := ERROR.match(line):
            found[match["file"]] += 1
    return found


def parse_baseline(text: str) -> Counter[str]:
    baseline: Counter[str] = Counter()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            number, name = line.split(maxsplit=1)
            baseline[name] = int(number)
    return baseline


def grown_files(found: Counter[str], baseline: Counter[str]) -> dict[str, int]:
    """Files with more errors than the baseline allows them (absent from it: none)."""
    return {name: n for name, n in found.items() if n > baseline[name]}


def check(found: Counter[str], baseline: Counter[str]) -> list[str]:
    """Why the errors found break the baseline; empty when they do not."""
    problems = []
    grown = grown_files(found, baseline)
    if grown:
        listed = ", ".join(f"{name} ({baseline[name]} → {n})" for name, n in sorted(grown.items()))
        problems.append(f"more errors than the baseline in {listed}")
    total, allowed = sum(found.values()), sum(baseline.values())
    if total > allowed:
        problems.append(f"{total} errors in all, the baseline allows {allowed}")
    return problems


def refuse_update(found: Counter[str], baseline: Counter[str]) -> list[str]:
    """Why `found` may not become the new baseline; empty when it may (it only shrinks)."""
    problems = []
    total, allowed = sum(found.values()), sum(baseline.values())
    if total > allowed:
        problems.append(f"the total would grow from {allowed} to {total}")
    listed_grown = {name: n for name, n in grown_files(found, baseline).items() if name in baseline}
    if listed_grown:
        names = ", ".join(f"{name} ({baseline[name]} → {n})" for name, n in listed_grown.items())
        problems.append(f"these files would have more errors: {names}")
    return problems


def render(found: Counter[str]) -> str:
    lines = [f"{n} {name}" for name, n in sorted(found.items())]
    return HEADER + "\n".join(lines) + "\n"


def main(baseline_path: str, output_path: str, mode: str) -> int:
    output = Path(output_path).read_text(encoding="utf-8")
    if "error:" not in output and output.strip() and "Success" not in output:
        print(output)
    found = counts(output)
    path = Path(baseline_path)
    baseline = parse_baseline(path.read_text(encoding="utf-8")) if path.exists() else None
    if mode == "--update":
        problems = refuse_update(found, baseline) if baseline is not None else []
        if problems:
            for problem in problems:
                print(f"typecheck: not updating the baseline: {problem}")
            print(HOW_TO_FIX)
            return 1
        path.write_text(render(found), encoding="utf-8")
        print(f"typecheck: baseline now {sum(found.values())} errors in {len(found)} files")
        return 0
    baseline = baseline if baseline is not None else Counter()
    grown = grown_files(found, baseline)
    for line in output.splitlines():
        match = ERROR.match(line)
        if match and match["file"] in grown:
            print(line)
    total, before = sum(found.values()), sum(baseline.values())
    print(f"typecheck: {total} errors in {len(found)} files (baseline {before})")
    problems = check(found, baseline)
    if problems:
        for problem in problems:
            print(f"typecheck: {problem}")
        print(HOW_TO_FIX)
        return 1
    if total < before:
        print("typecheck: fewer errors than the baseline: run `bash bin/typecheck --update`")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3], sys.argv[3] if len(sys.argv) > 3 else ""))
