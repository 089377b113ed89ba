"""Contact imports: CSV, XLSX and API batches; upserts, row errors, good rows kept."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from tests.contacts.helpers import add_contact
from voxloop.cli import run
from voxloop.contacts.importing import import_file, import_records
from voxloop.contacts.models import Contact
from voxloop.errors import Forbidden, InvalidInput


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def contacts(org) -> dict[str, Contact]:
    return {c.external_id: c for c in Contact.objects.filter(organization=org.root.organization)}


def test_csv_creates_updates_and_reports_bad_rows_keeping_the_good(world, tmp_path):
    acme = world.acme
    add_contact(acme, "c1r1s1", "K1", email="old@example.test", first_name="Old")
    add_contact(acme, "c1r1s1", "K9", email="nine@example.test")
    path = write_csv(
        tmp_path / "people.csv",
        [
            ["external_id", "first_name", "email", "unit", "attributes.tier", "consent_sms"],
            ["K1", "Kim", "kim@example.test", "", "gold", "no"],  # update by id
            ["K2", "Lee", "lee@example.test", "AC1R1S2", "silver", ""],  # new
            ["K3", "Bad", "not-an-email", "AC1R1S1", "", ""],  # bad email
            ["K4", "Who", "who@example.test", "NOPE", "", ""],  # unknown unit
            ["K2", "Again", "again@example.test", "AC1R1S2", "", ""],  # duplicate in file
            ["K5", "Ok", "ok@example.test", "AC1R1S1", "", "maybe"],  # bad flag
            ["", "Nine", "nine@example.test", "", "bronze", ""],  # update by email
            ["", "Dup", "lee@example.test", "", "", ""],  # K2 again, by its email
        ],
    )
    report = import_file(actor=acme.scope("admin"), path=path)
    assert (report.rows, report.created, report.updated, report.failed) == (8, 1, 2, 5)
    by_line = {e.line: (e.column, e.message) for e in report.errors}
    assert by_line[4][0] == "email" and "not an email" in by_line[4][1]
    assert by_line[5][0] == "unit"
    assert "second row" in by_line[6][1]
    assert by_line[7][0] == "consent_sms"
    found = contacts(acme)
    assert found["K1"].first_name == "Kim" and found["K1"].email == "kim@example.test"
    assert found["K1"].attributes == {"tier": "gold"} and found["K1"].consent_sms is False
    assert found["K2"].first_name == "Lee" and found["K2"].attributes == {"tier": "silver"}
    assert found["K9"].first_name == "Nine" and found["K9"].attributes == {"tier": "bronze"}
    assert "second row" in by_line[9][1]
    assert found["K2"].unit_path == acme.units["c1r1s2"].path
    assert "K3" not in found and "K4" not in found


def test_unknown_column_is_refused_by_name_unless_mapped(world, tmp_path):
    acme = world.acme
    path = write_csv(
        tmp_path / "p.csv",
        [["Customer No", "E-mail", "Shop", "Tenure"], ["X1", "x1@e.test", "AC1R1S1", "4"]],
    )
    with pytest.raises(InvalidInput) as refused:
        import_file(actor=acme.scope("admin"), path=path)
    assert refused.value.field == "Customer No"
    mapping = {
        "Customer No": "external_id",
        "E-mail": "email",
        "Shop": "unit",
        "Tenure": "attributes.tenure",
    }
    report = import_file(actor=acme.scope("admin"), path=path, mapping=mapping)
    assert report.created == 1
    assert contacts(acme)["X1"].attributes == {"tenure": "4"}


def test_malformed_and_undecodable_rows_are_reported_and_the_rest_imported(world, tmp_path):
    acme = world.acme
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"external_id,email,unit\n"
        b"A1,a1@e.test,AC1R1S1\n"
        b"A2,a2@e.test,AC1R1S1,extra,fields\n"
        b"A3,\xff\xfe@e.test,AC1R1S1\n"
        b"A4,a4@e.test,AC1R1S1\n"
    )
    report = import_file(actor=acme.scope("admin"), path=path)
    assert report.created == 2 and report.failed == 2
    assert {e.line for e in report.errors} == {3, 4}
    assert set(contacts(acme)) == {"A1", "A4"}


def test_xlsx_in_read_only_mode(world, tmp_path):
    acme = world.acme
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["external_id", "email", "unit", "attributes.spend"])
    sheet.append(["X1", "x1@e.test", "AC1R1S1", 120.5])
    sheet.append([1002, "x2@e.test", "AC1R1S2", 80])
    sheet.append(["X3", "broken", "AC1R1S1", 1])
    book.save(tmp_path / "p.xlsx")
    report = import_file(actor=acme.scope("admin"), path=tmp_path / "p.xlsx")
    assert (report.created, report.failed) == (2, 1)
    found = contacts(acme)
    assert found["X1"].attributes == {"spend": 120.5}
    assert "1002" in found  # a whole-number cell is the id 1002, not "1002.0"


def test_a_store_admin_cannot_write_outside_their_subtree(world, tmp_path):
    acme = world.acme
    add_contact(acme, "c2r1s1", "FAR")
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["external_id", "email", "unit"],
            ["FAR", "x@e.test", ""],
            ["N1", "n@e.test", "AC2R1S1"],
            ["N2", "n2@e.test", "AC1R1S1"],
        ],
    )
    report = import_file(actor=acme.scope("country_admin"), path=path)
    assert report.created == 1 and report.failed == 2
    assert contacts(acme)["FAR"].email == "far@example.test"
    with pytest.raises(Forbidden):
        import_file(actor=acme.scope("store"), path=path)  # a manager configures nothing


def test_api_style_batch_uses_the_same_rules(world):
    acme = world.acme
    report = import_records(
        actor=acme.scope("admin"),
        records=[
            {
                "external_id": "B1",
                "email": "b1@e.test",
                "unit": "AC1R1S1",
                "attributes": {"segment": "smb"},
            },
            {"external_id": "B2", "email": "b2@e.test", "unit": "AC1R1S1", "colour": "red"},
            "not an object",
        ],
    )
    assert (report.created, report.failed) == (1, 2)
    assert report.errors[0].column == "colour"


def test_cli_import_prints_counts_and_writes_the_error_report(world, tmp_path, capsys):
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["external_id", "email", "unit"],
            ["C1", "c1@e.test", "AC1R1S1"],
            ["C2", "bad", "AC1R1S1"],
        ],
    )
    errors = tmp_path / "errors.csv"
    code = run(["import", "contacts", str(path), "--org", "acme", "--errors", str(errors)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 rows: 1 created, 0 updated, 1 refused." in out
    assert "not an email" in errors.read_text()
    assert run(["import", "contacts", str(tmp_path / "missing.csv"), "--org", "acme"]) == 1
    assert "No such file" in capsys.readouterr().err
