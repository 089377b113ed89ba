"""The closed loop in the Django admin: scoped like the rest, and read-only."""

from tests.closedloop.support import submit
from tests.factories import make_member
from voxloop.closedloop import evaluation


def staff_client(client, world, unit_key):
    member = make_member(
        world.acme.system, f"staff-{unit_key}", world.acme.units[unit_key], "admin"
    )
    member.user.is_staff = True
    member.user.save(update_fields=["is_staff"])
    client.force_login(member.user)
    return client


def test_admin_lists_only_the_subtrees_cases_and_cannot_change_them(
    client, world, survey, detractor_rule
):
    acme = world.acme
    answers = {"nps": 1, "improve": ["queue"]}
    inside = submit(survey, answers, unit=acme.units["c1r1s1"])
    outside = submit(survey, answers, unit=acme.units["c2r1s1"])
    inside = evaluation.evaluate_response(response_id=inside.pk)[0]
    outside = evaluation.evaluate_response(response_id=outside.pk)[0]
    client = staff_client(client, world, "c1r1")
    page = client.get("/admin/closedloop/case/")
    assert page.status_code == 200
    assert [c.pk for c in page.context["cl"].queryset] == [inside.pk]
    assert client.get(f"/admin/closedloop/case/{outside.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/closedloop/case/{inside.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/closedloop/case/{inside.pk}/change/", {"title": "x"}).status_code
        == 403
    )
    notes = client.get("/admin/closedloop/notification/").context["cl"].queryset
    assert {n.case_id for n in notes} == {inside.pk}
    # The rule lives at the company, above this region's admin.
    assert list(client.get("/admin/closedloop/alertrule/").context["cl"].queryset) == []
