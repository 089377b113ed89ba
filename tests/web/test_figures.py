"""Numbers on staff pages as each language writes them (#17)."""

from __future__ import annotations

import pytest
from django.utils import translation

from voxloop.web.templatetags.figures import count, percent


@pytest.mark.parametrize(
    ("language", "thousands", "share"),
    [
        ("en", "12,345", "45.2%"),
        ("zh-hans", "12345", "45.2%"),  # Django's Chinese formats group no digits
        ("zh-hant", "12345", "45.2%"),
        ("ja", "12,345", "45.2%"),
        ("ro", "12.345", "45,2\u00a0%"),
    ],
)
def test_counts_and_percentages_follow_the_language(language, thousands, share):
    with translation.override(language):
        assert count(12345) == thousands
        assert percent(0.4521, 1) == share
        assert count(None) == "–" and percent("", 1) == "–"


def test_outreach_statistics_group_their_digits_in_romanian(world, client):
    from django.template import Context, Template

    row = {k: 12345 for k in ("invited", "sent", "delivered", "bounced", "opened", "clicked")}
    row |= {"started": 1, "completed": 2, "unsubscribed": 0, "skipped": 0}
    row |= {"response_rate": 0.126, "time_to_respond_seconds": None}
    with translation.override("ro"):
        html = Template('{% include "distribution/_stats_row.html" %}').render(
            Context({"row": row})
        )
    assert "<td>12.345</td>" in html and "<td>13\u00a0%</td>" in html
