"""The shell's Simplified Chinese catalogue is complete and its compiled .mo is current."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import voxloop

LOCALE = Path(voxloop.__file__).parent / "locale"
ZH = LOCALE / "zh_Hans" / "LC_MESSAGES"


def _entries(po: Path) -> list[tuple[list[str], str, list[str]]]:
    """(source references, msgid, msgstrs) for each entry, without the header."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n")[1:]:
        refs = [r for line in block.splitlines() if line.startswith("#:") for r in line[2:].split()]
        joined = re.sub(r'"\n"', "", block)
        msgid = re.search(r'^msgid "(.*)"$', joined, re.M)
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', joined, re.M)
        if msgid and not block.lstrip().startswith("#~"):
            entries.append((refs, msgid.group(1), msgstrs))
    return entries


def test_every_shell_string_has_a_chinese_translation():
    shell = [e for e in _entries(ZH / "django.po") if any(r.startswith("web/") for r in e[0])]
    assert len(shell) > 100
    untranslated = [msgid for _, msgid, msgstrs in shell if not all(msgstrs)]
    assert untranslated == []
    assert "#, fuzzy" not in (ZH / "django.po").read_text(encoding="utf-8").split("\n\n", 1)[1]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("language", ["zh_Hans", "ja", "ro"])
def test_compiled_catalogue_matches_its_source(tmp_path, language):
    messages = LOCALE / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, messages / "django.po"], check=True)
    with fresh.open("rb") as a, (messages / "django.mo").open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog
