"""The file connector: CSV, XLSX and JSON, idempotent re-imports, removals by column, rows it
cannot read reported by line and field; and credentials that are encrypted at rest."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from openpyxl import Workbook

from tests.reviews.corpus import samples
from tests.reviews.support import make_source
from voxloop import sealing
from voxloop.errors import InvalidInput
from voxloop.reviews import services
from voxloop.reviews.models import Review, ReviewSource

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def file_source(world):
    return make_source(world.acme, "file", locations={"shop-1": "c1r1s1", "shop-2": "c2"})


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_csv_imported_twice_is_stored_once_and_bad_rows_are_reported(world, file_source):
    en, zh = samples("en"), samples("zh")
    header = ["ID", "Location", "Rating", "Scale", "Date", "Author", "Text", "Removed"]
    table = [
        ("r1", "shop-1", "9", "10", "2026-10-01T10:00:00Z", "Ann", en[0].text, ""),
        ("r2", "shop-2", "1", "", "2026-10-02", "王芳", zh[0].text, ""),
        ("r3", "nowhere", "3", "", "2026-10-02", "", "x", ""),
        ("r4", "shop-1", "five", "", "2026-10-02", "", "x", ""),
        ("", "shop-1", "3", "", "2026-10-02", "", "x", ""),
    ]
    rows = [dict(zip(header, row, strict=True)) for row in table]
    scope = world.acme.scope("admin")
    report = services.import_file(
        scope=scope, source=file_source, name="export.csv", data=_csv(rows), now=T0
    )
    assert (report.new, report.edited) == (2, 0)
    assert {(p.line, p.field) for p in report.problems} == {
        (4, "location"),
        (5, "rating"),
        (6, "id"),
    }
    again = services.import_file(
        scope=scope, source=file_source, name="export.csv", data=_csv(rows), now=T0
    )
    assert (again.new, again.edited, again.unchanged) == (0, 0, 2)
    r1 = Review.objects.get(source=file_source, external_id="r1")
    assert r1.rating == 5 and r1.unit == world.acme.units["c1r1s1"]  # 9 of 10 → 5 stars
    assert Review.objects.get(source=file_source, external_id="r2").unit == world.acme.units["c2"]
    rows[1]["Removed"] = "yes"
    services.import_file(scope=scope, source=file_source, name="e.csv", data=_csv(rows[:2]))
    assert Review.objects.get(source=file_source, external_id="r2").is_removed


def test_xlsx_and_json_files_carry_non_latin_text(world, file_source):
    ro, ja = samples("ro"), samples("ja")
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "location", "rating", "date", "title", "text", "reply"])
    sheet.append(
        ["x1", "shop-1", 2, datetime(2026, 10, 3, 8, 0), ro[1].title, ro[1].text, "Ne pare rău"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    scope = world.acme.scope("admin")
    assert (
        services.import_file(
            scope=scope, source=file_source, name="r.xlsx", data=buffer.getvalue()
        ).new
        == 1
    )
    x1 = Review.objects.get(external_id="x1")
    assert (x1.title, x1.text, x1.reply_text) == (ro[1].title, ro[1].text, "Ne pare rău")
    row = {"id": "j1", "location": "shop-2", "stars": 4, "body": ja[0].text}
    payload = {"reviews": [{**row, "posted_at": "2026-10-04T01:00:00+09:00"}]}
    data = json.dumps(payload, ensure_ascii=False).encode()
    assert services.import_file(scope=scope, source=file_source, name="r.json", data=data).new == 1
    assert Review.objects.get(external_id="j1").text == ja[0].text


def test_a_file_that_is_not_what_it_claims_is_a_clear_error(world, file_source):
    scope = world.acme.scope("admin")
    with pytest.raises(InvalidInput):
        services.import_file(scope=scope, source=file_source, name="r.xlsx", data=b"not a zip")
    with pytest.raises(InvalidInput):
        services.import_file(scope=scope, source=file_source, name="r.json", data=b"[{")


def test_credentials_are_encrypted_with_the_environments_key_and_survive_rotation(world, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CREDENTIAL_KEYS = [old]
    source = make_source(world.acme, "yelp", credentials={"api_key": "sk-very-secret-1234"})
    stored = ReviewSource.objects.get(pk=source.pk).credentials
    assert "sk-very-secret" not in stored
    assert Fernet(old.encode()).decrypt(stored.encode())
    settings.CREDENTIAL_KEYS = [new, old]
    assert sealing.unseal(stored) == {"api_key": "sk-very-secret-1234"}
    rotated = sealing.reseal(stored)
    settings.CREDENTIAL_KEYS = [new]
    assert sealing.unseal(rotated) == {"api_key": "sk-very-secret-1234"}
    # A blank field in an update keeps the stored secret; an unknown one is refused.
    settings.CREDENTIAL_KEYS = [new, old]
    services.update_source(
        scope=world.acme.scope("admin"), source=source, credentials={"api_key": ""}
    )
    kept = ReviewSource.objects.get(pk=source.pk).credentials
    assert sealing.unseal(kept) == {"api_key": "sk-very-secret-1234"}
    with pytest.raises(InvalidInput):
        services.update_source(
            scope=world.acme.scope("admin"), source=source, credentials={"token": "x"}
        )


def test_only_admins_over_the_source_change_it(world, file_source):
    from voxloop.errors import Forbidden, NotFound

    with pytest.raises(Forbidden):
        services.update_source(scope=world.acme.scope("store"), source=file_source, name="x")
    with pytest.raises(NotFound):
        services.update_source(
            scope=world.acme.scope("country_admin"), source=file_source, name="x"
        )
    with pytest.raises(NotFound):
        services.update_source(scope=world.other.scope("admin"), source=file_source, name="x")
