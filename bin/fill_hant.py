"""Draft every Traditional Chinese (zh_Hant) catalogue from its Simplified (zh_Hans) one.

Entries that zh_Hant lacks, leaves empty or marks fuzzy are converted from zh_Hans with OpenCC
(`s2twp`: Taiwan standard with its usual phrasing); entries someone has translated in zh_Hant
are kept. Run through `bash bin/messages --fill-hant` (needs the dev extras: polib, OpenCC).
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import polib
    from opencc import OpenCC
except ImportError:
    sys.exit("bin/messages --fill-hant needs the dev extras: pip install -e '.[dev]'")

ROOT = Path(__file__).resolve().parents[1] / "src"
convert = OpenCC("s2twp").convert


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def _done(entry: polib.POEntry) -> bool:
    return entry.translated() and "fuzzy" not in entry.flags


def fill(hans_path: Path) -> int:
    """Bring the zh_Hant beside `hans_path` up to date; the number of entries drafted."""
    hant_path = Path(str(hans_path).replace("/zh_Hans/", "/zh_Hant/"))
    hans = polib.pofile(str(hans_path))
    hant = polib.pofile(str(hant_path)) if hant_path.exists() else None
    kept = {_key(e): e for e in hant if not e.obsolete and _done(e)} if hant else {}
    out = polib.POFile(wrapwidth=hans.wrapwidth)
    out.header = hans.header.replace("zh_Hans", "zh_Hant")
    out.metadata = {**hans.metadata, "Language": "zh_Hant"}
    drafted = 0
    for entry in hans:
        if entry.obsolete:
            continue
        if _key(entry) in kept:
            mine = kept[_key(entry)]
            mine.occurrences = entry.occurrences
            out.append(mine)
            continue
        copy = polib.POEntry(
            msgctxt=entry.msgctxt,
            msgid=entry.msgid,
            msgid_plural=entry.msgid_plural,
            msgstr=convert(entry.msgstr) if entry.msgstr else "",
            msgstr_plural={k: convert(v) for k, v in entry.msgstr_plural.items()},
            occurrences=entry.occurrences,
            flags=[f for f in entry.flags if f != "fuzzy"] if _done(entry) else entry.flags,
            comment=entry.comment,
            tcomment=entry.tcomment,
        )
        drafted += _done(entry)
        out.append(copy)
    hant_path.parent.mkdir(parents=True, exist_ok=True)
    out.save(str(hant_path))
    return drafted


def main() -> int:
    for hans_path in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        drafted = fill(hans_path)
        if drafted:
            print(f"{hans_path.relative_to(ROOT)}: {drafted} zh_Hant entries drafted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
