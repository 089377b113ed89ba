"""Masking personal data before a comment is analysed or stored as analysed text.

The pipeline calls one function, `Masker = Callable[[str, str], str]` (text, language →
masked text). This default masks what can be found without knowing the person: email
addresses, phone numbers, card and account numbers, web addresses. The privacy work's
redaction module plugs in through the `TEXTANALYTICS["PII_MASKER"]` setting (a dotted path
to a function of the same shape), and so do an organisation's own rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Masker = Callable[[str, str], str]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
# 8+ digits with optional spaces/dashes/dots between groups: phones, cards, IBAN tails.
# Full-width digits count too (Japanese and Chinese keyboards type them).
LONG_NUMBER = re.compile(r"(?<![\w])\+?[0-9０-９](?:[\s().\-－]*[0-9０-９]){7,}(?![\w])")
IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?:\s?[A-Z0-9]{4}){3,7}\b")

EMAIL_MASK = "[email]"
URL_MASK = "[link]"
NUMBER_MASK = "[number]"


# What the masks themselves look like, so later stages can ignore them.
MASK_TOKEN = re.compile(r"\[(?:email|link|number|name|phone|address|id|card|redacted)\]")


def unmasked_words(text: str) -> str:
    """The text with mask tokens blanked: "[number]" is no word the customer wrote."""
    return MASK_TOKEN.sub(" ", text)


def mask_basic(text: str, language: str = "") -> str:
    text = EMAIL.sub(EMAIL_MASK, text)
    text = URL.sub(URL_MASK, text)
    text = IBAN.sub(NUMBER_MASK, text)
    return LONG_NUMBER.sub(NUMBER_MASK, text)


def mask_personal(text: str, language: str = "") -> str:
    """The default: the privacy module's masking (emails, phones, cards, national ids, the one
    every page uses), then links, which it leaves alone."""
    from voxloop.privacy.redaction import mask

    return URL.sub(URL_MASK, mask(text))


def no_masking(text: str, language: str = "") -> str:
    return text
