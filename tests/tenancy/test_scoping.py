from voxloop.tenancy import selectors
from voxloop.tenancy.models import OrgUnit, path_upper_bound


def test_store_manager_sees_only_the_store(world):
    scope = world.acme.scope("store")
    assert list(selectors.visible_units(scope)) == [world.acme.units["c1r1s1"]]


def test_regional_manager_sees_region_and_its_stores(world):
    names = {u.code for u in selectors.visible_units(world.acme.scope("regional"))}
    assert names == {"AC1R1", "AC1R1S1", "AC1R1S2"}


def test_director_sees_the_whole_company_and_nothing_of_another(world):
    units = list(selectors.visible_units(world.acme.scope("director")))
    assert len(units) == 1 + 2 + 4 + 8
    assert all(u.organization_id == world.acme.root.organization_id for u in units)


def test_path_upper_bound_separates_siblings_with_common_digits():
    # Unit 1's subtree must not include unit 10 or 11, whose ids start with the same digit.
    assert path_upper_bound("0000000001") == "0000000002"
    assert path_upper_bound("0000000001") > "00000000010000000011"
    assert not (path_upper_bound("0000000001") > "0000000010")


def test_staff_and_units_of_sibling_store_are_invisible(world):
    scope = world.acme.scope("store")
    staff = list(selectors.visible_staff(scope))
    assert [s.unit.code for s in staff] == ["AC1R1S1"]
    sibling = world.acme.units["c1r1s2"]
    try:
        selectors.unit(scope, sibling.pk)
    except Exception as error:
        assert type(error).__name__ == "NotFound"
    else:
        raise AssertionError("a sibling store was readable")


def test_paths_are_consistent_with_parents(world):
    for unit in OrgUnit.objects.select_related("parent"):
        if unit.parent is None:
            assert unit.depth == 0
        else:
            assert unit.path.startswith(unit.parent.path)
            assert unit.depth == unit.parent.depth + 1
