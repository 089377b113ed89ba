"""Why an import left something out: the catalogue of the report's reasons (decision 0032).

Importers write a reason in English (the key into this catalogue, stable for scripts reading
the CLI's --json); the import page shows it in the reader's language. A reason with a value in
it names the value %(like_this)s and the importer passes it as a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as reason

REFUSED = reason("refused by Voxloop's checks: %(message)s")

REASONS = frozenset(
    {
        REFUSED,
        reason("same language as '%(code)s'"),
        reason("%(points)s scale points and %(rows)s rows: a rating matrix has 2–10 points"),
        reason("%(columns)s columns: a rating matrix has 2–10 points"),
        reason("its list '%(name)s' has no choices"),
        reason("Voxloop asks each question once; its questions are left out"),
        reason("Voxloop choices are fixed; the choices written in the file were kept"),
        reason("Voxloop choices are the ones listed"),
        reason("Voxloop has no branches in a survey flow; logic on questions only"),
        reason("Voxloop has no such setting"),
        reason("Voxloop has no triggers; only 'visible' ones become display logic"),
        reason("Voxloop keeps one 'other' text, not a comment per choice"),
        reason("Voxloop pipes only names, unit and staff into texts"),
        reason("Voxloop scales are 0–10 or 1–N up to 10"),
        reason("Voxloop shows every question in one fixed order"),
        reason("Voxloop shows questions by display logic only; add a rule to the later questions"),
        reason("a 1–5 scale names only its ends"),
        reason("a rating matrix names only its two ends"),
        reason("a row with a text entry has no place in a rating matrix"),
        reason("each field became its own number question"),
        reason("each field became its own short-text question"),
        reason("each item became its own short-text question"),
        reason("imported as a rating matrix in the order of the answers"),
        reason("imported as free text, without the format check"),
        reason("imported as free text: Voxloop has no time question"),
        reason("it cannot be written as display logic"),
        reason("it is in the trash block"),
        reason("it looks at a question that was not imported"),
        reason("it tests something other than earlier answers, or mixes and/or"),
        reason("no Voxloop question type takes this answer"),
        reason("no equivalent in Voxloop"),
        reason("no trigger of the file shows it; it is shown to everyone"),
        reason("none of them has a Voxloop equivalent"),
        reason("not a language code we know"),
        reason("only comparisons of earlier answers joined by one of and/or are carried over"),
        reason("only single-answer columns become a rating matrix"),
        reason("recorded by the form itself, not asked"),
        reason("several answers per row: each row became a multiple choice"),
        reason("text and graphics only: Voxloop questions take an answer"),
        reason("text only: Voxloop questions take an answer"),
        reason("the date is kept, the time of day is not"),
    }
)


def reason_text(entry: Mapping[str, Any]) -> str:
    """A report entry's reason in the active language; the English text when the reason is
    not in the catalogue (an entry saved before it) or its values do not fit."""
    why = str(entry.get("why") or "")
    key = entry.get("reason")
    if key not in REASONS:
        return why
    params = entry.get("params") or {}
    try:
        return gettext(key) % params if params else gettext(key)
    except (KeyError, TypeError, ValueError):
        return why
