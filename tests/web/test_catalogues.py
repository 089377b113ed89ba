"""Every shipped language is complete: each app's catalogue exists, translates every message
(none untranslated or fuzzy), compiles to the .mo beside it, gives one English word one
translation across apps, and every text a template shows goes through the translation tags."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

import voxloop

SRC = Path(voxloop.__file__).parent
SHIPPED = [to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
CATALOGUE_ROOTS = sorted(p.parent for p in SRC.glob("**/locale/zh_Hans"))
CATALOGUES = [
    root / lang / "LC_MESSAGES" / "django.po" for root in CATALOGUE_ROOTS for lang in SHIPPED
]
TEMPLATES = sorted(SRC.glob("**/templates/**/*.html")) + sorted(SRC.glob("**/templates/**/*.txt"))


def _id(po: Path) -> str:
    return str(po.relative_to(SRC))


def _entries(po: Path) -> list[dict]:
    """msgctxt, msgid, msgstrs and flags of each live entry, without the header."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        joined = re.sub(r'"\n"', "", "\n".join(lines))
        msgid = re.search(r'^msgid "(.*)"$', joined, re.M)
        if not msgid or not msgid.group(1):
            continue
        context = re.search(r'^msgctxt "(.*)"$', joined, re.M)
        entries.append(
            {
                "context": context.group(1) if context else None,
                "msgid": msgid.group(1),
                "msgstrs": re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', joined, re.M),
                "fuzzy": any(line.startswith("#,") and "fuzzy" in line for line in lines),
            }
        )
    return entries


def test_shipped_languages_include_traditional_chinese():
    assert {"zh_Hans", "zh_Hant", "ja", "ro"} <= set(SHIPPED)
    assert len(CATALOGUE_ROOTS) >= 8


@pytest.mark.parametrize("po", CATALOGUES, ids=_id)
def test_catalogue_translates_every_message(po):
    assert po.exists(), f"{_id(po)} is missing"
    entries = _entries(po)
    assert entries
    untranslated = [e["msgid"] for e in entries if not all(e["msgstrs"])]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    assert untranslated == [], f"untranslated in {_id(po)}"
    assert fuzzy == [], f"fuzzy in {_id(po)}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("po", CATALOGUES, ids=_id)
def test_compiled_catalogue_matches_its_source(tmp_path, po):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, po], check=True)
    with fresh.open("rb") as a, po.with_suffix(".mo").open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog


@pytest.mark.parametrize("language", SHIPPED)
def test_one_english_message_has_one_translation_across_apps(language):
    """Django merges the catalogues and the first one wins: two meanings of one English word
    need a context (pgettext), or one app silently shows the other's word ("When": 时间/条件)."""
    seen: dict[tuple, dict[str, str]] = defaultdict(dict)
    for root in CATALOGUE_ROOTS:
        for entry in _entries(root / language / "LC_MESSAGES" / "django.po"):
            if all(entry["msgstrs"]):
                key = (entry["context"], entry["msgid"])
                seen[key][str(root.relative_to(SRC))] = "|".join(entry["msgstrs"])
    clashes = {key: apps for key, apps in seen.items() if len(set(apps.values())) > 1}
    assert clashes == {}


# What a template may show untranslated: product and format names, and code samples.
UNTRANSLATED_OK = {
    "Voxloop",
    "NPS",
    "UTC",
    "PNG",
    "SVG",
    "CSV",
    "XLSX",
    "QR",
    "SLA",
    "HTTP",
    "vxl",
    "vxk",
}
TAGS = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{%\s*(blocktranslate|blocktrans)\b.*?{%\s*end(blocktranslate|blocktrans)\s*%}"
    r"|{%.*?%}|{{.*?}}|{#.*?#}",
    re.S,
)
NOT_TEXT = re.compile(r"<(script|style|code|pre|kbd|samp)\b.*?</\1>|<!--.*?-->", re.S | re.I)
ATTRIBUTE = re.compile(r'\b(?:title|placeholder|aria-label|alt)="([^"{]*)"')


def _untranslated_text(template: Path) -> list[str]:
    text = TAGS.sub(" ", NOT_TEXT.sub(" ", template.read_text(encoding="utf-8")))
    found = [value for value in ATTRIBUTE.findall(text) if re.search("[A-Za-z]{2}", value)]
    text = re.sub(r"&\w+;|&#\w+;|\S*/\S*", " ", re.sub(r"<[^>]*>", " ", text))
    found += re.findall(r"[A-Za-z][A-Za-z'’]+", text)
    return [word for word in found if word not in UNTRANSLATED_OK]


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
def test_template_text_is_inside_translation_tags(template):
    assert _untranslated_text(template) == []


def test_the_template_check_finds_text_outside_the_tags(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('{% load i18n %}<h1>{% translate "Cases" %}</h1><p title="Hint">Resolve</p>')
    assert _untranslated_text(page) == ["Hint", "Resolve"]


TRANSLATE_TAG = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?""")


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
def test_every_translate_tag_is_in_a_catalogue(template):
    """A string added to a template but never extracted (makemessages) would stay English."""
    known = {
        (e["context"], e["msgid"])
        for root in CATALOGUE_ROOTS
        for e in _entries(root / "zh_Hans" / "LC_MESSAGES" / "django.po")
    }
    used = {(m.group(4), m.group(2)) for m in TRANSLATE_TAG.finditer(template.read_text("utf-8"))}
    # makemessages writes a literal % as %% in the catalogue.
    missing = {
        (c, i) for c, i in used if (c, i) not in known and (c, i.replace("%", "%%")) not in known
    }
    assert sorted(missing, key=str) == []
