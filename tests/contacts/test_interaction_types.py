"""Interaction events name staff of the caller's subtree only, and interaction types belong to
a unit: company wide only from the root, listable, archivable, deletable, audited."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.contacts.helpers import add_contact
from tests.factories import YES
from tests.surveys.api_client import ApiClient
from tests.surveys.builders import store_visit_survey
from voxloop.contacts import services
from voxloop.contacts.interactions import record_interactions
from voxloop.contacts.models import Interaction, InteractionType
from voxloop.distribution.campaigns import triggers
from voxloop.errors import Forbidden
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import AuditEntry


@pytest.fixture
def people(world):
    acme = world.acme
    add_contact(acme, "c1r1s1", "ANN")
    add_contact(acme, "c2r1s1", "BOB")
    services.define_interaction_type(
        actor=acme.system, unit=acme.root, key="visit", name="Store visit"
    )
    return acme


def _batch(acme, actor: str, *events: dict):
    return ApiClient(acme.members[actor]).post("/interactions/batch", {"interactions": events})


# --- staff codes: no org-wide oracle ---------------------------------------------------


def test_a_store_manager_cannot_link_or_probe_staff_of_another_unit(people, world):
    sibling_clerk, foreign_clerk = "AE112", "BE111"  # the sibling store's; the other tenant's
    answers = {
        code: _batch(people, "store", {"type": "visit", "contact": "ANN", "staff": code}).json()
        for code in (sibling_clerk, foreign_clerk, "NOBODY")
    }
    for code, report in answers.items():
        assert report["created"] == 0 and report["failed"] == 1, code
        [error] = report["errors"]
        assert error["column"] == "staff"
        # Out of scope reads exactly like absent: only the code echoed back differs.
        assert error["message"].replace(code, "?") == (
            "no staff member with the code '?' in your scope"
        )
    assert not Interaction.objects.exists()
    own = _batch(people, "store", {"type": "visit", "contact": "ANN", "staff": "AE111"}).json()
    assert own["created"] == 1
    assert Interaction.objects.get().staff.code == "AE111"


def test_a_regional_manager_links_staff_anywhere_in_the_region_only(people):
    ok = _batch(people, "regional", {"type": "visit", "contact": "ANN", "staff": "AE112"}).json()
    assert ok["created"] == 1
    other_region = _batch(
        people, "regional", {"type": "visit", "contact": "ANN", "staff": "AE121"}
    ).json()
    assert other_region["failed"] == 1 and other_region["errors"][0]["column"] == "staff"


def test_the_same_code_twice_in_a_batch_is_looked_up_once(people, django_assert_max_num_queries):
    events = [{"type": "visit", "contact": "ANN", "staff": "AE112"}] * 50
    with django_assert_max_num_queries(80):  # one contact read per event, one staff read
        report = record_interactions(actor=people.scope("store"), records=events)
    assert report.failed == 50


# --- interaction types owned by a unit --------------------------------------------------


def test_a_country_admins_type_applies_to_their_country_only(people, world):
    acme = world.acme
    created = ApiClient(acme.members["country_admin"]).post(
        "/interaction-types", {"key": "repair", "name": "Repair"}
    )
    assert created.status_code == 201
    assert created.json()["unit"]["id"] == acme.units["c1"].pk  # not the whole company
    assert _batch(acme, "admin", {"type": "repair", "contact": "ANN"}).json()["created"] == 1
    elsewhere = _batch(acme, "admin", {"type": "repair", "contact": "BOB"}).json()
    assert elsewhere["failed"] == 1 and elsewhere["errors"][0]["column"] == "type"
    # Seen from below and above, never from the other country or the other tenant.
    assert "repair" in _keys(acme, "store") and "repair" in _keys(acme, "admin")
    c2 = tenancy_services.grant_membership(
        actor=acme.system, user=world.loner, unit=acme.units["c2"], role="admin"
    )
    assert "repair" not in {k["key"] for k in ApiClient(c2).get("/interaction-types").json()}
    assert "repair" not in {
        k["key"] for k in ApiClient(world.other.members["admin"]).get("/interaction-types").json()
    }


def _keys(acme, actor: str) -> set[str]:
    return {k["key"] for k in ApiClient(acme.members[actor]).get("/interaction-types").json()}


def test_a_key_is_used_once_along_a_path_but_siblings_may_share_it(people, world):
    acme = world.acme
    country = ApiClient(acme.members["country_admin"])
    shadow = country.post("/interaction-types", {"key": "visit", "name": "Our visit"})
    assert shadow.status_code == 409 and shadow.json()["error"]["field"] == "key"
    c1r1, c1r2 = acme.units["c1r1"], acme.units["c1r2"]
    for region in (c1r1, c1r2):
        made = country.post(
            "/interaction-types", {"key": "pickup", "name": "Pickup", "unit_code": region.code}
        )
        assert made.status_code == 201
    above = country.post("/interaction-types", {"key": "pickup", "name": "Pickup"})
    assert above.status_code == 409
    outside = country.post(
        "/interaction-types",
        {"key": "x", "name": "X", "unit_code": acme.units["c2"].code},
    )
    assert outside.status_code == 404 and outside.json()["error"]["field"] == "unit_code"


def test_only_a_top_level_admin_makes_company_wide_types(world):
    acme = world.acme
    with pytest.raises(Forbidden):
        services.define_interaction_type(
            actor=acme.scope("country_admin"), unit=acme.root, key="x", name="X"
        )
    for actor in ("regional", "store", "analyst", "viewer", "agent"):
        api = ApiClient(acme.members[actor])
        answer = api.post("/interaction-types", {"key": "y", "name": "Y"})
        assert answer.status_code == 403, actor
    kind = services.define_interaction_type(
        actor=acme.scope("admin"), unit=acme.root, key="x", name="X"
    )
    assert kind.unit_id == acme.root.pk
    assert AuditEntry.objects.filter(action="interaction_type.create", target_id=str(kind.pk))


def test_an_archived_type_takes_no_events_or_triggers_until_restored(people, world):
    acme = world.acme
    kind = InteractionType.objects.get(key="visit")
    admin = ApiClient(acme.members["admin"])
    archived = admin.patch(f"/interaction-types/{kind.pk}", {"archived": True})
    assert archived.status_code == 200 and archived.json()["archived_at"]
    assert _batch(acme, "admin", {"type": "visit", "contact": "ANN"}).json()["failed"] == 1
    survey = store_visit_survey(acme)
    trigger = {"name": "After visit", "survey_id": survey.pk, "interaction_type": "visit"}
    refused = admin.post("/triggers", trigger)
    assert refused.status_code == 404 and refused.json()["error"]["field"] == "interaction_type"
    assert admin.patch(f"/interaction-types/{kind.pk}", {"archived": False}).status_code == 200
    assert _batch(acme, "admin", {"type": "visit", "contact": "ANN"}).json()["created"] == 1
    assert admin.post("/triggers", trigger).status_code == 201
    changes = AuditEntry.objects.filter(action="interaction_type.update", target_id=str(kind.pk))
    assert [e.changes["archived"] for e in changes.order_by("at", "id")] == [
        [False, True],
        [True, False],
    ]


def test_a_trigger_uses_only_a_type_that_applies_at_its_unit(people, world):
    acme = world.acme
    kind = services.define_interaction_type(
        actor=acme.system, unit=acme.units["c1r1"], key="pickup", name="Pickup"
    )
    survey = store_visit_survey(acme)
    with pytest.raises(Exception, match="does not apply"):
        triggers.create_trigger(acme.scope("admin"), acme.units["c2"], survey, kind, name="x")
    store = acme.units["c1r1s1"]
    made = triggers.create_trigger(acme.scope("admin"), store, survey, kind, name="y")
    assert made.interaction_type == kind


def test_a_type_in_use_is_archived_not_deleted(people, world):
    acme = world.acme
    kind = InteractionType.objects.get(key="visit")
    admin = ApiClient(acme.members["admin"])
    assert _batch(acme, "admin", {"type": "visit", "contact": "ANN"}).json()["created"] == 1
    refused = admin.delete(f"/interaction-types/{kind.pk}")
    assert refused.status_code == 409 and "archive" in refused.json()["error"]["message"]
    assert InteractionType.objects.filter(pk=kind.pk).exists()
    unused = services.define_interaction_type(
        actor=acme.system, unit=acme.root, key="unused", name="Unused"
    )
    assert admin.delete(f"/interaction-types/{unused.pk}").status_code == 204
    assert not InteractionType.objects.filter(pk=unused.pk).exists()
    assert AuditEntry.objects.filter(action="interaction_type.delete", target_id=str(unused.pk))


def test_types_above_ones_unit_are_read_only_and_other_tenants_are_absent(people, world):
    acme = world.acme
    kind = InteractionType.objects.get(key="visit")
    country = ApiClient(acme.members["country_admin"])
    assert country.patch(f"/interaction-types/{kind.pk}", {"name": "Mine"}).status_code == 403
    assert country.delete(f"/interaction-types/{kind.pk}").status_code == 403
    foreign = ApiClient(world.other.members["admin"])
    assert foreign.patch(f"/interaction-types/{kind.pk}", {"name": "Mine"}).status_code == 404
    assert foreign.delete(f"/interaction-types/{kind.pk}").status_code == 404
    kind.refresh_from_db()
    assert kind.name == "Store visit"


def test_a_types_owner_path_follows_a_moved_unit(world):
    acme = world.acme
    kind = services.define_interaction_type(
        actor=acme.system, unit=acme.units["c1r1"], key="pickup", name="Pickup"
    )
    tenancy_services.move_unit(
        actor=acme.system, unit=acme.units["c1r1"], new_parent=acme.units["c2"]
    )
    kind.refresh_from_db()
    assert kind.unit_path.startswith(acme.units["c2"].path)
    assert "pickup" not in _keys(acme, "country_admin")


# --- the page -------------------------------------------------------------------------------


def _page_client(acme, actor: str) -> Client:
    client = Client()
    client.force_login(acme.user(actor))
    return client


def test_the_page_lists_creates_archives_and_deletes(people, world):
    acme = world.acme
    admin = _page_client(acme, "country_admin")
    page = admin.get("/contacts/interaction-types/").content.decode()
    assert "Store visit" in page and "Acme Retail" in page
    company_type = InteractionType.objects.get(key="visit")
    assert f"interaction-types/{company_type.pk}/archive/" not in page
    made = admin.post(
        "/contacts/interaction-types/new/", {"name": "Repair", "key": "repair", "unit_code": ""}
    )
    assert made.status_code == 302
    kind = InteractionType.objects.get(key="repair")
    assert kind.unit_id == acme.units["c1"].pk
    page = admin.get("/contacts/interaction-types/").content.decode()
    assert f"interaction-types/{kind.pk}/archive/" in page and "Archive…" in page
    assert admin.post(f"/contacts/interaction-types/{kind.pk}/archive/").status_code == 302
    kind.refresh_from_db()
    assert kind.archived_at is not None
    assert admin.post(f"/contacts/interaction-types/{kind.pk}/restore/").status_code == 302
    assert admin.post(f"/contacts/interaction-types/{kind.pk}/delete/", YES).status_code == 302
    assert not InteractionType.objects.filter(pk=kind.pk).exists()
    assert admin.post(f"/contacts/interaction-types/{kind.pk}/explode/").status_code == 404
    clash = admin.post("/contacts/interaction-types/new/", {"name": "V", "key": "visit"})
    assert clash.status_code == 400 and "exists already" in clash.content.decode()


def test_the_page_shows_no_forms_to_those_who_cannot_configure(people, world):
    page = _page_client(world.acme, "viewer").get("/contacts/interaction-types/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Store visit" in body and "interaction-types/new/" not in body
