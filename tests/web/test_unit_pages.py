"""The organisation browser: lists, drill-down and the admin's edits with errors on the form."""

from __future__ import annotations

import re

from django.urls import reverse

from voxloop.tenancy import services
from voxloop.tenancy.models import AuditEntry, OrgUnit


def _field_errors(body: str, field_id: str) -> list[str]:
    return re.findall(rf'<p class="error" id="{field_id}_error">([^<]*)</p>', body)


def test_unit_list_filters_by_kind_and_search(world, client):
    client.force_login(world.acme.user("regional"))
    body = client.get(reverse("web:units"), {"kind": "store"}).content.decode()
    assert "Store 1.1.1" in body and "Store 1.1.2" in body
    assert "Region 1.1</a>" not in body
    body = client.get(reverse("web:units"), {"q": "1.1.2"}).content.decode()
    assert "Store 1.1.2" in body and "Store 1.1.1" not in body
    body = client.get(reverse("web:units"), {"q": "AC1R1S1"}).content.decode()  # by code
    assert "Store 1.1.1" in body and "Store 1.1.2" not in body


def test_unit_list_paginates_and_keeps_filters(world, client):
    acme = world.acme
    for n in range(30):
        services.create_unit(
            actor=acme.system,
            parent=acme.units["c1r1s1"],
            name=f"Till {n:02d}",
            kind="team",
            code=f"T{n}",
        )
    client.force_login(acme.user("store"))
    first = client.get(reverse("web:units"), {"kind": "team"}).content.decode()
    assert "Page 1 of 2" in first
    assert "?kind=team&amp;page=2" in first
    second = client.get(reverse("web:units"), {"kind": "team", "page": 2}).content.decode()
    assert "Till 29" in second and "Till 00" not in second
    assert client.get(reverse("web:units"), {"page": "999"}).status_code == 200


def test_unit_page_shows_breadcrumb_within_scope_children_staff_and_counts(world, client):
    acme = world.acme
    client.force_login(acme.user("analyst"))  # sees Country 1 and below
    body = client.get(reverse("web:unit", args=[acme.units["c1r1s1"].pk])).content.decode()
    crumb = body.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert "Country 1" in crumb and "Region 1.1" in crumb and "Store 1.1.1" in crumb
    assert "Acme Retail" not in crumb  # the company is above the analyst's scope
    assert "Clerk 1.1.1" in body
    region = client.get(reverse("web:unit", args=[acme.units["c1r1"].pk])).content.decode()
    assert "Store 1.1.1" in region and "Store 1.1.2" in region
    assert '<span class="stat">2</span> Store' in region
    assert "Add a unit below this one" not in region  # analysts do not configure


def test_admin_adds_a_child_unit(world, client):
    acme = world.acme
    region = acme.units["c1r1"]
    client.force_login(acme.user("country_admin"))
    response = client.post(
        reverse("web:unit_create", args=[region.pk]),
        {"name": "Store 1.1.3", "kind": "store", "code": "AC1R1S3"},
    )
    child = OrgUnit.objects.get(code="AC1R1S3")
    assert response.status_code == 302 and response["Location"] == f"/units/{child.pk}/"
    assert child.parent_id == region.pk
    assert "Unit “Store 1.1.3” added." in client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="unit.create", target_id=str(child.pk)).exists()


def test_duplicate_code_is_shown_on_the_code_field(world, client):
    acme = world.acme
    client.force_login(acme.user("admin"))
    response = client.post(
        reverse("web:unit_create", args=[acme.units["c1r1"].pk]),
        {"name": "Twin", "kind": "store", "code": "AC1R1S2"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert _field_errors(body, "add_code") == ["The unit code &#x27;AC1R1S2&#x27; is already used."]
    assert 'value="Twin"' in body  # what was typed is kept
    assert not OrgUnit.objects.filter(name="Twin").exists()


def test_rename_and_recode(world, client):
    acme = world.acme
    store = acme.units["c1r1s1"]
    client.force_login(acme.user("admin"))
    url = reverse("web:unit_update", args=[store.pk])
    response = client.post(url, {"name": "Flagship", "kind": "store", "code": "FLAG-1"})
    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.name, store.code, store.is_active) == ("Flagship", "FLAG-1", False)
    clash = client.post(url, {"name": "Flagship", "kind": "store", "code": "AC2R1S1"})
    assert clash.status_code == 400
    assert _field_errors(clash.content.decode(), "edit_code")
    store.refresh_from_db()
    assert store.code == "FLAG-1"
    # The page shows the stored name, not the refused input, in its heading.
    assert "<h1>Flagship</h1>" in clash.content.decode()


def test_move_under_another_unit(world, client):
    acme = world.acme
    store, target = acme.units["c1r1s1"], acme.units["c2r1"]
    client.force_login(acme.user("admin"))
    response = client.post(reverse("web:unit_move", args=[store.pk]), {"parent_code": "AC2R1"})
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.parent_id == target.pk and store.path.startswith(target.path)


def test_moving_under_a_descendant_names_the_parent_field(world, client):
    acme = world.acme
    region = acme.units["c1r1"]
    client.force_login(acme.user("admin"))
    response = client.post(reverse("web:unit_move", args=[region.pk]), {"parent_code": "AC1R1S1"})
    assert response.status_code == 400
    errors = _field_errors(response.content.decode(), "move_parent_code")
    assert errors == ["A unit cannot move under itself or its own descendants."]
    region.refresh_from_db()
    assert region.parent_id == acme.units["c1"].pk


def test_moving_under_an_invisible_unit_is_refused_on_the_field(world, client):
    acme = world.acme
    client.force_login(acme.user("country_admin"))
    store = acme.units["c1r1s1"]
    for code in ["AC2R1", "BC1R1", "NOPE"]:  # another country, another org, no such unit
        response = client.post(reverse("web:unit_move", args=[store.pk]), {"parent_code": code})
        assert response.status_code == 400
        assert _field_errors(response.content.decode(), "move_parent_code")
    store.refresh_from_db()
    assert store.parent_id == acme.units["c1r1"].pk


def test_admin_cannot_move_their_own_root(world, client):
    acme = world.acme
    client.force_login(acme.user("country_admin"))
    page = client.get(reverse("web:unit", args=[acme.units["c1"].pk])).content.decode()
    assert "Move under another unit" not in page
    response = client.post(
        reverse("web:unit_move", args=[acme.units["c1"].pk]), {"parent_code": "AC1R1"}
    )
    assert response.status_code == 400
    assert "You cannot move this unit." in response.content.decode()


def test_non_admin_posts_change_nothing(world, client):
    acme = world.acme
    store = acme.units["c1r1s1"]
    client.force_login(acme.user("store"))
    response = client.post(
        reverse("web:unit_update", args=[store.pk]), {"name": "Mine", "kind": "store", "code": "M"}
    )
    assert response.status_code == 403
    store.refresh_from_db()
    assert store.name == "Store 1.1.1"


def test_element_ids_are_unique_on_the_admins_unit_page(world, client):
    client.force_login(world.acme.user("admin"))
    body = client.get(reverse("web:unit", args=[world.acme.units["c1r1"].pk])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert ids and len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for label_for in re.findall(r'<label for="([^"]+)"', body):
        assert f'id="{label_for}"' in body, f"label for missing control {label_for}"


def test_absent_ids_are_404_in_the_layout(world, client):
    client.force_login(world.acme.user("admin"))
    for url in ["/units/999999/", "/people/999999/", "/units/999999/move/", "/no-such-page/"]:
        response = client.get(url) if "move" not in url else client.post(url, {})
        assert response.status_code == 404, url
        assert "Page not found" in response.content.decode()


def test_an_admin_sets_a_units_time_zone_on_its_page(world, client):
    acme = world.acme
    store = acme.units["c1r1s1"]
    client.force_login(acme.user("admin"))
    page = client.get(reverse("web:unit", args=[store.pk])).content.decode()
    assert 'name="time_zone"' in page and "Asia/Tokyo" in page
    url = reverse("web:unit_update", args=[store.pk])
    data = {"name": store.name, "kind": "store", "code": store.code, "is_active": "on"}
    assert client.post(url, {**data, "time_zone": "Asia/Tokyo"}).status_code == 302
    store.refresh_from_db()
    assert store.time_zone == "Asia/Tokyo"
    # A zone the list does not offer is refused with the field named, and nothing changes.
    refused = client.post(url, {**data, "time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert _field_errors(refused.content.decode(), "edit_time_zone")
    store.refresh_from_db()
    assert store.time_zone == "Asia/Tokyo"
    # Empty means "as the unit above" again.
    assert client.post(url, {**data, "time_zone": ""}).status_code == 302
    store.refresh_from_db()
    assert store.time_zone == ""
