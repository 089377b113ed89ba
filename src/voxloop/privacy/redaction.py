"""Personal data in free text, found and masked: the one module that knows what it looks like.

    mask("Call me on 0722 123 456") == "Call me on [phone]"
    find(text) -> [Finding(kind, start, end)]       # where, without changing the text
    mask_answers(response.answers)                   # every text answer of a response
    mask_known(text, person)                         # also this one person's name, id, email

What is found: email addresses; phone numbers in international form (+40, +81, +86, 0044 …)
and in the local forms of Romania, Japan, China and the United Kingdom (and North America
when written 3-3-4); payment card numbers (13–19 digits of a card scheme, Luhn-checked);
Romanian CNPs, Chinese resident ids and Japanese My Numbers (each with its check digit); UK
National Insurance numbers. Full-width digits and letters, full-width and Japanese dashes and
ideographic spaces count like their ASCII forms, and spaces, dashes, dots and brackets may
sit inside a number.

What is left alone, on purpose: prices, dates, times, quantities, order and store numbers of
up to 9 digits, postcodes; a 7–9 digit number is a phone only right after a word such as
"tel", "phone", "电话", "電話", "telefon". Dashboards, digests, alerts and exports call
`mask`; the text analytics pipeline will too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from voxloop.privacy import identifiers


class Kind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    NATIONAL_ID = "id"
    NAME = "name"  # only from mask_known: a known person's name


PLACEHOLDERS = {kind: f"[{kind.value}]" for kind in Kind}
EVERY_KIND = frozenset({Kind.EMAIL, Kind.PHONE, Kind.CARD, Kind.NATIONAL_ID})
# What a person wrote so someone would get back to them (kept for those who call back).
CONTACT_DETAILS = frozenset({Kind.EMAIL, Kind.PHONE})
# Never needed to close the loop: masked for everyone but admins.
SECRETS = EVERY_KIND - CONTACT_DETAILS


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    end: int


# --- normalisation: one character for one, so positions stay those of the original --------

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！…～ → !…~
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u2009\u202f\u3000\t"), " ")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"), "-")
_NORMAL_MAP: dict[int, int | str] = {**_FULL_WIDTH, **_SPACES, **_DASHES, 0xFE6B: "@"}
_NORMAL = str.maketrans(_NORMAL_MAP)


def normalised(text: str) -> str:
    """Full-width ASCII, odd spaces and dashes as plain ASCII, character for character."""
    return text.translate(_NORMAL)


# --- what personal data looks like ------------------------------------------------------

_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@"
    rf"{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*\.[A-Za-z]{{2,24}}(?![A-Za-z0-9])"
)
# "ana.pop [at] mail [dot] ro", the way people hide an address from robots.
SPELLED_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+\s*[\[(]\s*at\s*[\])]\s*"
    r"[A-Za-z0-9-]+(?:\s*[\[(]\s*dot\s*[\])]\s*[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
# UK National Insurance number: two letters (not D F I Q U V; second not O; not BG GB KN NK
# NT TN ZZ), six digits, A–D. Capitals only: "on 12 34 56 a" is not one.
UK_NINO = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])"
)
# A run of digit groups: an optional "+", groups joined by at most three of space - . ( ),
# and a Chinese id's final X. Right after a letter it is part of a code ("SKU0722123456"),
# unless its check digit says card or id ("ＶＩＳＡ４１１１…" in Japanese has no space).
NUMBER = re.compile(
    r"(?<![0-9])(?P<plus>\+ ?)?\(?\d(?:[ .()-]{0,3}\d)*(?P<x>[Xx](?![A-Za-z0-9]))?(?!\d)"
)
GROUP = re.compile(r"\d+")
# Dates are not numbers to mask, and their digits must not start or end a phone number
# ("15.03.2024 0722 123 456"): they are blanked out before numbers are looked for.
DATE = re.compile(
    r"(?<![0-9])(?:(?:19|20)\d\d(?P<s1>[./-])[01]?\d(?P=s1)[0-3]?\d"
    r"|[0-3]?\d(?P<s2>[./-])[01]?\d(?P=s2)(?:19|20)?\d\d)(?![0-9])"
)
# Right before a short number, these make it a phone number (7–9 digits, no area code).
PHONE_WORD = re.compile(
    r"(?:\b(?:tel|telephone|telefon(?:ul)?|phone|mobile?|mobil(?:ul)?|cell|fax|whatsapp|"
    r"call\s+me(?:\s+(?:at|on))?|sun(?:a|ați)[-\s]mă(?:\s+la)?)|电话|電話|手机|手機|携帯|☎|📞)"
    r"\s*(?:no\.?|nr\.?|number|号码|番号|号)?\s*[:.]?\s*$",
    re.IGNORECASE,
)
# Cheap first look: an @, a spelled-out "[at]", or six digits close together (the fewest any
# number above has). Most comments have none and are done after this one search.
MAYBE = re.compile(
    r"[@＠\ufe6b]|[\[(]\s*at\s*[\])]|[0-9０-９](?:[^0-9０-９]{0,3}[0-9０-９]){5}", re.IGNORECASE
)
# Country codes a "00" prefix may introduce, with the national number's digit counts.
DIAL_00 = {
    "1": (10,),
    "7": (10,),
    "31": (9,),
    "33": (9,),
    "34": (9,),
    "36": (8, 9),
    "39": (9, 10),
    "40": (9,),
    "44": (9, 10),
    "48": (9,),
    "49": (7, 8, 9, 10, 11),
    "65": (8,),
    "81": (9, 10),
    "82": (9, 10),
    "86": (10, 11),
    "373": (8,),
    "852": (8,),
    "853": (8,),
    "886": (9,),
}
MAX_GROUPS, MAX_DIGITS = 8, 19


def _dialled_abroad(digits: str) -> bool:
    rest = digits[2:]
    return any(
        rest.startswith(code) and len(rest) - len(code) in lengths
        for code, lengths in DIAL_00.items()
    )


def _local_phone(digits: str, sizes: list[int], after_phone_word: bool) -> bool:
    length = len(digits)
    if digits.startswith("00"):
        return _dialled_abroad(digits)
    if digits[0] == "0":
        # Romania 0722 123 456, 021 …; Japan 090-1234-5678, 03-1234-5678; UK 07700 900123,
        # 020 7946 0958; China 010-12345678, 0755-8888 9999: 10 to 12 digits after the 0.
        return 10 <= length <= 12
    if digits[0] == "1" and digits[1] in "3456789" and length == 11:
        return True  # Chinese mobile: 138 1234 5678
    if sizes in ([3, 3, 4], [1, 3, 3, 4]) and digits[-10] in "23456789":
        return digits[-7] in "23456789" and (length == 10 or digits[0] == "1")  # (415) 555-0132
    return after_phone_word and 7 <= length <= 9


def _kind_of(
    digits: str, sizes: list[int], international: bool, after_word: bool | None, whole: bool
) -> Kind | None:
    """What a run of groups is, if anything: ids and cards by their check digits first (a
    number that checks out is no coincidence), then phones by their shape. An id or a card
    is a whole run or one unbroken group: three groups of a mistyped card are not an id."""
    if international:
        return Kind.PHONE if 8 <= len(digits) <= 15 else None
    checked = whole or len(sizes) == 1
    if digits.endswith(("X", "x")):
        ok = checked and identifiers.is_chinese_resident_id(digits)
        return Kind.NATIONAL_ID if ok else None
    if checked and identifiers.is_national_id(digits):
        return Kind.NATIONAL_ID
    if checked and identifiers.is_card(digits):
        return Kind.CARD
    if after_word is None:
        return None  # glued to a letter: a code, not a phone number
    if len(digits) >= 7 and _local_phone(digits, sizes, after_word):
        return Kind.PHONE
    return None


def _numbers(text: str, match: re.Match) -> Iterable[Finding]:
    """The phones, cards and ids inside one run of digit groups: from each group, the longest
    run of following groups that is one of them (so "15.03.2024 0722 123 456" is a date and
    a phone, and "0722 123 456 7" the phone and a 7)."""
    groups = list(GROUP.finditer(match.group(), 0))
    base = match.start()
    plus = match.group("plus") is not None
    tail_x = match.group("x") or ""
    i = 0
    while i < len(groups):
        found = None
        before = text[max(0, base + groups[i].start() - 30) : base + groups[i].start()]
        glued = before[-1:].isascii() and before[-1:].isalpha()
        after_word = None if glued else bool(PHONE_WORD.search(before.rstrip("(")))
        windows = []
        digits = ""
        for j in range(i, min(len(groups), i + MAX_GROUPS)):
            digits += groups[j].group()
            if len(digits) > MAX_DIGITS:
                break
            windows.append((j, digits))
        for j, digits in reversed(windows):
            last = j == len(groups) - 1
            with_x = digits + tail_x if last and tail_x else digits
            sizes = [len(g.group()) for g in groups[i : j + 1]]
            whole = i == 0 and last
            kind = _kind_of(with_x, sizes, plus and i == 0, after_word, whole)
            if kind is None and with_x != digits:
                kind = _kind_of(digits, sizes, plus and i == 0, after_word, whole)
                with_x = digits
            if kind is not None:
                start = match.start() if plus and i == 0 else base + groups[i].start()
                end = base + groups[j].end() + (len(with_x) - len(digits))
                found = (j, _bracketed(text, start, end, kind))
                break
        if found is None:
            i += 1
            continue
        yield found[1]
        i = found[0] + 1


def _bracketed(text: str, start: int, end: int, kind: Kind) -> Finding:
    """Take in the brackets of "(03) 1234-5678" so no half of a pair is left behind."""
    if start > 0 and text[start - 1] == "(" and ")" in text[start:end]:
        start -= 1
    if text[start:end].count("(") > text[start:end].count(")") and text[end : end + 1] == ")":
        end += 1
    return Finding(kind, start, end)


def find(text: str, kinds: Iterable[Kind] = EVERY_KIND) -> list[Finding]:
    """Where the personal data in `text` is, in order, never overlapping."""
    if not text or not MAYBE.search(text):
        return []
    plain = normalised(text)
    claimed: list[Finding] = []
    for pattern, kind in ((EMAIL, Kind.EMAIL), (SPELLED_EMAIL, Kind.EMAIL)):
        claimed += [Finding(kind, m.start(), m.end()) for m in pattern.finditer(plain)]
    claimed += [Finding(Kind.NATIONAL_ID, m.start(), m.end()) for m in UK_NINO.finditer(plain)]
    claimed = _without_overlaps(claimed)
    numbers = DATE.sub(lambda m: "D" * len(m.group()), plain)
    for match in NUMBER.finditer(numbers):
        for finding in _numbers(numbers, match):
            if not any(_overlap(finding, other) for other in claimed):
                claimed.append(finding)
    wanted = set(kinds)
    return sorted((f for f in claimed if f.kind in wanted), key=lambda f: f.start)


def _overlap(a: Finding, b: Finding) -> bool:
    return a.start < b.end and b.start < a.end


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if not any(_overlap(finding, other) for other in kept):
            kept.append(finding)
    return kept


def _replaced(text: str, findings: list[Finding]) -> str:
    if not findings:
        return text
    out, last = [], 0
    for finding in findings:
        out += [text[last : finding.start], PLACEHOLDERS[finding.kind]]
        last = finding.end
    out.append(text[last:])
    return "".join(out)


def mask(text: str, kinds: Iterable[Kind] = EVERY_KIND) -> str:
    """The text with each email, phone, card and national id (of `kinds`) replaced by
    "[email]", "[phone]", "[card]" or "[id]"."""
    if not isinstance(text, str):
        return text
    return _replaced(text, find(text, kinds))


def mask_answers(answers: dict[str, Any], kinds: Iterable[Kind] = EVERY_KIND) -> dict[str, Any]:
    """A response's answers with every free-text one masked (choices and scores as they are:
    they are keys and numbers the survey defined, not what somebody wrote)."""
    kinds = frozenset(kinds)
    return {k: mask(v, kinds) if isinstance(v, str) else v for k, v in (answers or {}).items()}


# --- one known person (erasure): their name, ids and addresses wherever they appear ---------


@dataclass(frozen=True)
class KnownPerson:
    """What identifies one contact, read before their record is erased."""

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    full_names: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, first_name: str, last_name: str, email: str, phone: str, external_id: str
    ) -> KnownPerson:
        first, last = (first_name or "").strip(), (last_name or "").strip()
        full = {f"{first} {last}", f"{last} {first}", f"{last}{first}"} if first and last else set()
        names = set(full)
        # A part alone only when it cannot be a stray letter or a single Chinese character.
        names |= {part for part in (first, last) if len(part) >= 2}
        return cls(
            full_names=tuple(sorted(full)),
            names=tuple(sorted(n.strip() for n in names if n.strip())),
            emails=(email.strip(),) if email and email.strip() else (),
            phones=(phone.strip(),) if phone and len(re.sub(r"\D", "", phone)) >= 7 else (),
            ids=(external_id.strip(),) if external_id and len(external_id.strip()) >= 4 else (),
        )

    def mentions(self) -> tuple[str, ...]:
        """What to look for in other records that may name this person: the whole name, the
        email, the external id (a first name alone would find half the customers)."""
        return (*self.full_names, *self.emails, *(i for i in self.ids if len(i) >= 6))

    def pattern(self) -> re.Pattern | None:
        parts = []
        for value in sorted({*self.names, *self.emails, *self.ids}, key=len, reverse=True):
            escaped = re.escape(value)
            # Latin names and ids as whole words (Chinese text may follow them directly);
            # a Chinese or Japanese name has no spaces around it at all.
            latin = r"A-Za-z0-9\u00c0-\u024f"
            parts.append(rf"(?<![{latin}]){escaped}(?![{latin}])" if value.isascii() else escaped)
        for phone in self.phones:
            national = re.sub(r"\D", "", phone)[-9:]
            parts.append(r"[ .()-]{0,3}".join(national))
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def mask_known(text: str, person: KnownPerson) -> str:
    """Mask `person`'s names, ids, email and phone in `text`, then everything `mask` finds."""
    if not isinstance(text, str) or not text:
        return text
    pattern = person.pattern()
    known = []
    if pattern is not None:
        known = [
            Finding(_label(m.group(), person), m.start(), m.end())
            for m in pattern.finditer(normalised(text))
        ]
    found = find(text)
    found += [k for k in _without_overlaps(known) if not any(_overlap(k, f) for f in found)]
    return _replaced(text, sorted(found, key=lambda f: f.start))


def _label(found: str, person: KnownPerson) -> Kind:
    lowered = found.casefold()
    if any(lowered == e.casefold() for e in person.emails):
        return Kind.EMAIL
    if any(lowered == i.casefold() for i in person.ids):
        return Kind.NATIONAL_ID
    if found[:1].isdigit():
        return Kind.PHONE
    return Kind.NAME


def mask_known_in(value: Any, person: KnownPerson) -> Any:
    """`mask_known` through a JSON value (a case event's data, a webhook payload)."""
    if isinstance(value, str):
        return mask_known(value, person)
    if isinstance(value, list):
        return [mask_known_in(v, person) for v in value]
    if isinstance(value, dict):
        return {k: mask_known_in(v, person) for k, v in value.items()}
    return value
