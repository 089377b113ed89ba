import pytest

from voxloop.contacts.models import Contact
from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.tenancy import selectors, services
from voxloop.tenancy.models import AuditEntry, OrgUnit


def test_move_rehangs_whole_subtree_and_keeps_paths(world):
    acme = world.acme
    region = acme.units["c1r1"]
    target = acme.units["c2"]
    services.move_unit(actor=acme.scope("admin"), unit=region, new_parent=target)
    moved = {u.code: u for u in OrgUnit.objects.filter(code__startswith="AC1R1")}
    assert moved["AC1R1"].parent_id == target.pk
    for unit in moved.values():
        assert unit.path.startswith(target.path)
        assert unit.is_within(OrgUnit.objects.get(pk=target.pk))
    assert moved["AC1R1S1"].depth == 3
    # The country admin of c1 no longer sees the moved region; c2's subtree does.
    c1_codes = {u.code for u in selectors.visible_units(acme.scope("country_admin"))}
    assert "AC1R1" not in c1_codes and "AC1R1S1" not in c1_codes


def test_move_under_own_descendant_is_refused_and_changes_nothing(world):
    acme = world.acme
    before = list(OrgUnit.objects.values_list("pk", "path", "parent_id").order_by("pk"))
    with pytest.raises(InvalidInput) as error:
        services.move_unit(
            actor=acme.scope("admin"), unit=acme.units["c1"], new_parent=acme.units["c1r1s1"]
        )
    assert error.value.field == "parent"
    assert list(OrgUnit.objects.values_list("pk", "path", "parent_id").order_by("pk")) == before


def test_move_keeps_copied_contact_paths_right(world):
    acme = world.acme
    store = acme.units["c1r1s1"]
    Contact.objects.create(
        organization_id=store.organization_id,
        home_unit=store,
        unit_path=store.path,
        external_id="C-1",
    )
    services.move_unit(
        actor=acme.scope("admin"), unit=acme.units["c1r1"], new_parent=acme.units["c2r2"]
    )
    store.refresh_from_db()
    assert Contact.objects.get(external_id="C-1").unit_path == store.path


def test_duplicate_unit_code_is_a_conflict_naming_code(world):
    acme = world.acme
    with pytest.raises(Conflict) as error:
        services.create_unit(
            actor=acme.scope("admin"), parent=acme.root, name="Again", kind="country", code="AC1"
        )
    assert error.value.field == "code"


def test_same_code_is_fine_in_another_organisation(world):
    unit = services.create_unit(
        actor=world.other.scope("admin"),
        parent=world.other.root,
        name="X",
        kind="country",
        code="AC1",
    )
    assert unit.code == "AC1"


def test_region_admin_cannot_create_outside_subtree_or_touch_other_org(world):
    acme, other = world.acme, world.other
    with pytest.raises(Forbidden):
        services.create_unit(
            actor=acme.scope("country_admin"),
            parent=acme.units["c2"],
            name="N",
            kind="region",
            code="N1",
        )
    with pytest.raises(Forbidden):
        services.create_unit(
            actor=acme.scope("admin"), parent=other.root, name="N", kind="country", code="N2"
        )
    with pytest.raises(Forbidden):
        services.update_unit(actor=acme.scope("admin"), unit=other.units["c1"], name="Hijacked")
    assert OrgUnit.objects.get(pk=other.units["c1"].pk).name == "Country 1"


@pytest.mark.parametrize("member", ["director", "regional", "store", "agent", "viewer", "analyst"])
def test_roles_below_admin_cannot_configure(world, member):
    acme = world.acme
    with pytest.raises(Forbidden):
        services.create_unit(
            actor=acme.scope(member), parent=acme.units["c1r1s1"], name="N", kind="team", code="T-9"
        )


def test_cannot_grant_or_change_own_membership(world):
    acme = world.acme
    with pytest.raises(Forbidden):
        services.change_membership(
            actor=acme.scope("admin"), membership=acme.members["admin"], role="viewer"
        )


def test_every_change_is_audited_with_actor_and_unit(world):
    acme = world.acme
    scope = acme.scope("country_admin")
    unit = services.create_unit(
        actor=scope, parent=acme.units["c1r1"], name="Pop-up", kind="store", code="POP-1"
    )
    services.update_unit(actor=scope, unit=unit, name="Pop-up store")
    entries = AuditEntry.objects.filter(target_type="orgunit", target_id=str(unit.pk))
    assert [e.action for e in entries.order_by("id")] == ["unit.create", "unit.update"]
    last = entries.order_by("id").last()
    assert last.actor_id == acme.user("country_admin").pk
    assert last.changes == {"name": ["Pop-up", "Pop-up store"]}
    assert last.unit_path == unit.path
    # The audit log of a sibling region's admin scope would not include it.
    assert unit.pk in {int(e.target_id) for e in selectors.audit_log(scope) if e.target_id}


def test_audit_log_is_admin_only_and_scoped(world):
    acme = world.acme
    services.create_unit(
        actor=acme.scope("admin"), parent=acme.units["c2"], name="Far", kind="region", code="FAR"
    )
    with pytest.raises(Forbidden):
        selectors.audit_log(acme.scope("director"))
    seen = {e.target_label for e in selectors.audit_log(acme.scope("country_admin"))}
    assert "Far" not in seen


def test_an_update_that_changes_nothing_writes_no_audit_entry(world):
    acme = world.acme
    unit = acme.units["c1r1s1"]
    before = AuditEntry.objects.count()
    services.update_unit(
        actor=acme.scope("admin"), unit=unit, name=unit.name, code=f" {unit.code} "
    )
    services.change_membership(
        actor=acme.scope("admin"), membership=acme.members["store"], role="manager"
    )
    assert AuditEntry.objects.count() == before


def test_move_keeps_survey_and_response_paths_right(world):
    from tests.surveys.builders import store_visit_survey
    from voxloop.responses.models import Response
    from voxloop.responses.services import Submission, submit
    from voxloop.surveys import selectors as survey_selectors
    from voxloop.surveys import services as survey_services

    acme = world.acme
    store = acme.units["c1r1s1"]
    survey = store_visit_survey(acme)
    regional = survey_services.create_survey(
        actor=acme.scope("admin"), unit=acme.units["c1r1"], name="R", kind="kiosk"
    )
    response = submit(submission=Submission(survey=survey, answers={"nps": 9}, unit=store)).response
    services.move_unit(
        actor=acme.scope("admin"), unit=acme.units["c1r1"], new_parent=acme.units["c2"]
    )
    store.refresh_from_db()
    assert Response.objects.get(pk=response.pk).unit_path == store.path
    regional.refresh_from_db()
    assert regional.unit_path == OrgUnit.objects.get(code="AC1R1").path
    # The moved region's survey is now visible from country 2, not from country 1.
    assert regional in survey_selectors.visible_surveys(acme.scope("admin"))
    c1_admin = acme.scope("country_admin")
    assert regional not in survey_selectors.visible_surveys(c1_admin)


def test_audit_entries_follow_a_moved_unit(world):
    """A store's audit history moves with it: the admin of the country it left stops seeing
    it, and whoever administers the country it joined sees it."""
    from voxloop.tenancy.scoping import Scope

    acme = world.acme
    store = acme.units["c1r1s1"]
    services.update_unit(actor=acme.scope("admin"), unit=store, name="Store before the move")
    entry = AuditEntry.objects.get(action="unit.update", target_id=str(store.pk))
    services.move_unit(actor=acme.scope("admin"), unit=store, new_parent=acme.units["c2r1"])
    store.refresh_from_db()
    entry.refresh_from_db()
    assert entry.unit_path == store.path
    left = selectors.audit_log(acme.scope("country_admin"))  # admin of country 1
    assert entry.pk not in set(left.values_list("pk", flat=True))
    joined = selectors.audit_log(Scope.system(acme.units["c2"]))
    assert entry.pk in set(joined.values_list("pk", flat=True))


def test_a_tree_deeper_than_the_path_column_holds_is_refused_naming_parent(world):
    """The materialized path holds 25 levels; deeper was a 500 on PostgreSQL (value too long)
    and a silently over-long path on SQLite."""
    acme = world.acme
    admin = acme.scope("admin")
    chain = [acme.root]
    with pytest.raises(InvalidInput) as error:
        for level in range(1, 40):
            chain.append(
                services.create_unit(
                    actor=admin, parent=chain[-1], name=f"L{level}", kind="team", code=f"L{level}"
                )
            )
    assert error.value.field == "parent"
    assert len(chain) == 25  # depths 0..24
    assert max(len(u.path) for u in OrgUnit.objects.all()) <= 255
    # Moving a subtree so that its deepest unit would pass the limit is refused too.
    before = list(OrgUnit.objects.values_list("pk", "path").order_by("pk"))
    with pytest.raises(InvalidInput) as error:
        services.move_unit(actor=admin, unit=acme.units["c1"], new_parent=chain[-1])
    assert error.value.field == "parent"
    assert list(OrgUnit.objects.values_list("pk", "path").order_by("pk")) == before


def test_a_response_stored_with_the_old_path_during_a_move_is_healed(world):
    """A submission that read its unit just before a move commits keeps the old path; the
    delayed heal gives it the unit's current one and leaves other responses alone."""
    from tests.surveys.builders import store_visit_survey
    from voxloop.responses.models import Response
    from voxloop.responses.services import Submission, heal_unit_paths, submit

    acme = world.acme
    store, other = acme.units["c1r1s1"], acme.units["c2r1s1"]
    survey = store_visit_survey(acme)
    old_region_path = acme.units["c1r1"].path
    services.move_unit(
        actor=acme.scope("admin"), unit=acme.units["c1r1"], new_parent=acme.units["c2"]
    )
    straggler = submit(
        submission=Submission(survey=survey, answers={"nps": 10}, unit=store)
    ).response
    # As if the unit had been read before the move: the old path.
    Response.objects.filter(pk=straggler.pk).update(unit_path=store.path)
    elsewhere = submit(
        submission=Submission(survey=survey, answers={"nps": 9}, unit=other)
    ).response
    assert heal_unit_paths(organization_id=acme.root.organization_id, old_path=old_region_path) == 1
    store.refresh_from_db()
    assert Response.objects.get(pk=straggler.pk).unit_path == store.path
    assert Response.objects.get(pk=elsewhere.pk).unit_path == other.path
    assert heal_unit_paths(organization_id=acme.root.organization_id, old_path=old_region_path) == 0


def test_a_move_schedules_the_heal_for_after_it_commits(
    world, settings, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    acme = world.acme
    old_path = acme.units["c1r1"].path
    with django_capture_on_commit_callbacks(execute=True):
        services.move_unit(
            actor=acme.scope("admin"), unit=acme.units["c1r1"], new_parent=acme.units["c2"]
        )
    (queued,) = [r for r in default_task_backend.results if r.task.name == "heal_unit_paths"]
    assert queued.task.run_after is not None
    assert queued.args == [acme.root.organization_id, old_path]
