"""Why an import left something out: the catalogue of the report's reasons (decision 0032).

Importers write a reason in English (the key into this catalogue, stable for scripts reading
the CLI's --json); the import page shows it in the reader's language. A reason with a value in
it names the value %(like_this)s and the importer passes it as a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop

REFUSED = gettext_noop("refused by Voxloop's checks: %(message)s")

REASONS = frozenset(
    {
        REFUSED,
        gettext_noop("same language as '%(code)s'"),
        gettext_noop("%(points)s scale points and %(rows)s rows: a rating matrix has 2–10 points"),
        gettext_noop("%(columns)s columns: a rating matrix has 2–10 points"),
        gettext_noop("its list '%(name)s' has no choices"),
        gettext_noop("Voxloop asks each question once; its questions are left out"),
        gettext_noop("Voxloop choices are fixed; the choices written in the file were kept"),
        gettext_noop("Voxloop choices are the ones listed"),
        gettext_noop("Voxloop has no branches in a survey flow; logic on questions only"),
        gettext_noop("Voxloop has no such setting"),
        gettext_noop("Voxloop has no triggers; only 'visible' ones become display logic"),
        gettext_noop("Voxloop keeps one 'other' text, not a comment per choice"),
        gettext_noop("Voxloop pipes only names, unit and staff into texts"),
        gettext_noop("Voxloop scales are 0–10 or 1–N up to 10"),
        gettext_noop("Voxloop shows every question in one fixed order"),
        gettext_noop(
            "Voxloop shows questions by display logic only; add a rule to the later questions"
        ),
        gettext_noop("a 1–5 scale names only its ends"),
        gettext_noop("a rating matrix names only its two ends"),
        gettext_noop("a row with a text entry has no place in a rating matrix"),
        gettext_noop("each field became its own number question"),
        gettext_noop("each field became its own short-text question"),
        gettext_noop("each item became its own short-text question"),
        gettext_noop("imported as a rating matrix in the order of the answers"),
        gettext_noop("imported as free text, without the format check"),
        gettext_noop("imported as free text: Voxloop has no time question"),
        gettext_noop("it cannot be written as display logic"),
        gettext_noop("it is in the trash block"),
        gettext_noop("it looks at a question that was not imported"),
        gettext_noop("it tests something other than earlier answers, or mixes and/or"),
        gettext_noop("no Voxloop question type takes this answer"),
        gettext_noop("no equivalent in Voxloop"),
        gettext_noop("no trigger of the file shows it; it is shown to everyone"),
        gettext_noop("none of them has a Voxloop equivalent"),
        gettext_noop("not a language code we know"),
        gettext_noop(
            "only comparisons of earlier answers joined by one of and/or are carried over"
        ),
        gettext_noop("only single-answer columns become a rating matrix"),
        gettext_noop("recorded by the form itself, not asked"),
        gettext_noop("several answers per row: each row became a multiple choice"),
        gettext_noop("text and graphics only: Voxloop questions take an answer"),
        gettext_noop("text only: Voxloop questions take an answer"),
        gettext_noop("the date is kept, the time of day is not"),
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
        return gettext(key) % params if params or "%(" in key else gettext(key)
    except (KeyError, TypeError, ValueError):
        return why
