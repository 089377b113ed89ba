"""Spreadsheet rows out: streamed CSV equals what the csv module writes at once, in pieces,
and formula-like text stays text in CSV and XLSX."""

import csv
import io

from openpyxl import load_workbook

from voxloop import spreadsheets


def test_csv_arrives_in_pieces_and_equals_one_write():
    rows = [[i, f"comment {i}", None, 1.5, True] for i in range(1234)]
    pieces = list(spreadsheets.csv_stream(["id", "text", "none", "x", "flag"], rows))
    assert len(pieces) == 3  # 500 + 500 + 234 rows, not one piece per row
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow(["id", "text", "none", "x", "flag"])
    writer.writerows([[i, f"comment {i}", "", 1.5, True] for i in range(1234)])
    assert "".join(pieces) == "\ufeff" + expected.getvalue()


def test_formula_like_text_is_kept_as_text():
    cells = ["=HYPERLINK(1)", "+1", "-2", "@x", "\tx", "\rx", "fine", "", 3, None]
    assert [spreadsheets.safe_cell(c) for c in cells] == [
        "'=HYPERLINK(1)", "'+1", "'-2", "'@x", "'\tx", "'\rx", "fine", "", 3, ""
    ]  # fmt: skip
    book = load_workbook(spreadsheets.xlsx_file(["a"], [["=1+1"], [7]]))
    assert [row[0].value for row in book.active.iter_rows()] == ["a", "'=1+1", 7]
