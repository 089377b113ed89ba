"""Damaged and odd files: whatever the bytes, reading one either gives a draft or refuses it
with InvalidInput naming the problem, never another exception (a 500, a traceback)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.surveys.importing.support import TESTDATA
from voxloop.errors import InvalidInput
from voxloop.surveys import importing

SAMPLES = sorted(
    p
    for pattern in ("qualtrics-qsf/*.qsf", "limesurvey/*.ls?", "surveyjs/*.json", "kobotoolbox/*")
    for p in TESTDATA.glob(pattern)
)


@pytest.mark.skipif(not SAMPLES, reason="shared test data not here")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=max(len(SAMPLES) - 1, 0)),
    cut=st.floats(min_value=0, max_value=1),
    junk=st.binary(max_size=40),
)
def test_damaged_files_are_read_or_refused(index, cut, junk):
    data = SAMPLES[index].read_bytes()
    at = int(len(data) * cut)
    damaged = data[:at] + junk + data[at + len(junk) :]
    try:
        importing.read_file(SAMPLES[index].name, damaged)
    except InvalidInput as refused:
        assert refused.message


@settings(max_examples=100, deadline=None)
@given(
    document=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "pages",
                        "elements",
                        "questions",
                        "type",
                        "name",
                        "choices",
                        "rows",
                        "columns",
                        "title",
                        "visibleIf",
                        "content",
                        "survey",
                        "SurveyElements",
                        "Payload",
                        "Element",
                        "format",
                        "version",
                        "translations",
                        "label",
                        "default",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=25,
    )
)
def test_odd_json_shapes_are_read_or_refused(document):
    import json

    try:
        importing.read_file("odd.json", json.dumps(document).encode() or b"{}")
    except InvalidInput as refused:
        assert refused.message
