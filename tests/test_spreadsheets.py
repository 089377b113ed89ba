"""Spreadsheet rows out: streamed CSV equals what the csv module writes at once, in pieces,
and no text cell can become a formula, in CSV (however a spreadsheet splits it) or XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from voxloop import spreadsheets


def test_csv_arrives_in_pieces_and_equals_one_write():
    rows = [[i, f"comment {i}", None, 1.5, True] for i in range(1234)]
    pieces = list(spreadsheets.csv_stream(["id", "text", "none", "x", "flag"], rows))
    assert len(pieces) == 3  # 500 + 500 + 234 rows, not one piece per row
    expected = io.StringIO()
    writer = csv.writer(expected, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(["id", "text", "none", "x", "flag"])
    writer.writerows([[i, f"comment {i}", "", 1.5, True] for i in range(1234)])
    assert "".join(pieces) == "\ufeff" + expected.getvalue()


def test_formula_like_text_is_kept_as_text():
    cells = ["=HYPERLINK(1)", "+1", "-2", "@x", "\tx", "\rx", "fine", "", 3, None]
    assert [spreadsheets.safe_cell(c) for c in cells] == [
        "'=HYPERLINK(1)", "'+1", "'-2", "'@x", "'\tx", "'\rx", "fine", "", 3, ""
    ]  # fmt: skip


# What a spreadsheet could split into a cell that starts with a formula trigger.
SPLITTABLE = [
    "x;=1+1;@SUM(1)",  # Excel with ";" as its list separator (ro, de, fr)
    "ok,=cmd|' /C calc'!A0",
    "a\t+1",
    "a|@x",
    'a; "=1+1',
    "line\n=1+1",
    " =1+1",  # leading blanks: trimmed by some importers
    "\u00a0\u3000-1+1",
    "\x00=1",
    "＝1+1",  # full-width triggers, accepted by CJK spreadsheets
    "価格；＝1+1",
]


@pytest.mark.parametrize("text", SPLITTABLE)
def test_every_cell_a_spreadsheet_could_split_into_a_formula_is_neutralised(text):
    assert spreadsheets.safe_cell(text) == "'" + text
    # The whole cell is quoted, so a spreadsheet that honours quotes keeps it one cell, and
    # that cell starts with the apostrophe.
    written = "".join(spreadsheets.csv_stream(["h"], [[text]])).lstrip("\ufeff")
    assert written.split("\r\n", 1)[1].startswith("\"'")
    [_, [cell]] = list(csv.reader(io.StringIO(written)))
    assert cell == "'" + text


def test_ordinary_text_passes_unchanged():
    for text in ("Great service, thanks", "3-4 days", "a@b.example", "C++; fine", "价格；很好"):
        assert spreadsheets.safe_cell(text) == text


def test_header_cells_are_guarded_too():
    header = "".join(spreadsheets.csv_stream(["id", "=HYPERLINK(1)"], []))
    assert '"\'=HYPERLINK(1)"' in header


def test_xlsx_text_is_a_string_cell_with_nothing_added():
    rows = [["=1+1", "x;=1+1", 7, "tab\x01bad"]]
    book = load_workbook(spreadsheets.xlsx_file(["=head"], rows))
    first, second = book.active.iter_rows()
    assert first[0].value == "=head" and first[0].data_type == "s"
    assert [c.value for c in second] == ["=1+1", "x;=1+1", 7, "tabbad"]
    assert [c.data_type for c in second[:3]] == ["s", "s", "n"]
