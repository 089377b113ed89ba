"""Compare mypy's errors per file with the baseline; see bin/typecheck."""

import re
import sys
from collections import Counter
from pathlib import Path

ERROR = re.compile(r"^(?P<file>[^:]+):\d+(?::\d+)?: error: ")


def counts(mypy_output: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in mypy_output.splitlines():
        if match := ERROR.match(line):
            found[match["file"]] += 1
    return found


def read_baseline(path: Path) -> Counter[str]:
    baseline: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            number, name = line.split(maxsplit=1)
            baseline[name] = int(number)
    return baseline


def main(baseline_path: str, output_path: str, mode: str) -> int:
    output = Path(output_path).read_text(encoding="utf-8")
    if "error:" not in output and output.strip() and "Success" not in output:
        print(output)
    found = counts(output)
    baseline = read_baseline(Path(baseline_path)) if Path(baseline_path).exists() else Counter()
    if mode == "--update":
        lines = [f"{n} {name}" for name, n in sorted(found.items())]
        header = "# mypy errors per file that predate the type check; may only shrink.\n"
        Path(baseline_path).write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"typecheck: baseline now {sum(found.values())} errors in {len(found)} files")
        return 0
    grown = {name: n for name, n in found.items() if n > baseline[name]}
    for line in output.splitlines():
        match = ERROR.match(line)
        if match and match["file"] in grown:
            print(line)
    total, before = sum(found.values()), sum(baseline.values())
    print(f"typecheck: {total} errors in {len(found)} files (baseline {before})")
    if grown:
        print(f"typecheck: more errors than the baseline in {', '.join(sorted(grown))}")
        return 1
    if total < before:
        print("typecheck: fewer errors than the baseline: run `bash bin/typecheck --update`")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3], sys.argv[3] if len(sys.argv) > 3 else ""))
