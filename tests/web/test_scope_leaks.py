"""A store manager's pages never name a sibling store, another region or another
organisation's units: the tenancy rule seen from the rendered HTML."""

from django.urls import reverse

from voxloop.tenancy import services


def test_store_manager_pages_never_name_a_sibling_or_another_organisation(world, client):
    # The two organisations share unit names; give the other one names we can look for.
    for unit in world.other.units.values():
        services.update_unit(actor=world.other.system, unit=unit, name=f"Beta {unit.name}")
    acme = world.acme
    forbidden = ["Store 1.1.2", "Clerk 1.1.2", "Region 1.2", "Store 2.", "Country 2", "Beta "]
    own = acme.units["c1r1s1"]
    client.force_login(acme.user("store"))
    urls = [
        reverse("web:home"),
        reverse("web:units"),
        reverse("web:units") + "?q=Store",
        reverse("web:units") + "?kind=store",
        reverse("web:unit", kwargs={"unit_id": own.pk}),
        reverse("web:unit", kwargs={"unit_id": acme.units["c1r1s2"].pk}),
        reverse("web:unit", kwargs={"unit_id": world.other.units["c1r1s1"].pk}),
        reverse("web:staff"),
        reverse("web:staff") + "?q=Clerk",
        reverse("web:staff") + f"?unit={acme.units['c1r1s2'].code}",
        reverse("web:people"),
        reverse("web:audit"),
    ]
    seen_own = False
    for url in urls:
        body = client.get(url).content.decode()
        for name in forbidden:
            assert name not in body, f"{url} shows {name!r}"
        seen_own = seen_own or "Store 1.1.1" in body
    assert seen_own, "the store manager's own store should appear somewhere"
