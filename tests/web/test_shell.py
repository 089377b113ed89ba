"""The layout around every page: navigation by role, the switchers, CSRF, escaping, i18n."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from voxloop.tenancy import services
from voxloop.tenancy.middleware import SESSION_KEY
from voxloop.tenancy.models import Membership, OrgUnit, Staff


def _nav(body: str) -> str:
    """The header's navigation: the main line and the tools beside the account."""
    return body.split('class="site-nav"', 1)[1].split("</header>", 1)[0]


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_without_membership_is_told_so(world, client):
    client.force_login(world.loner)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "You do not belong to any organisation yet" in body
    assert "Acme" not in body and "Store" not in body
    assert client.get(reverse("web:units")).status_code == 403


@pytest.mark.parametrize(
    ("actor", "shown", "hidden"),
    [
        ("admin", ["Home", "Organisation", "Staff", "People", "Audit log"], ["Admin site"]),
        ("country_admin", ["People", "Audit log"], []),
        ("store", ["Home", "Organisation", "Staff", "My API tokens"], ["People", "Audit log"]),
        ("analyst", ["Organisation"], ["People", "Audit log"]),
    ],
)
def test_navigation_follows_the_role(world, client, actor, shown, hidden):
    client.force_login(world.acme.user(actor))
    nav = _nav(client.get("/").content.decode())
    for label in shown:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav
    assert 'href="/api/v1/docs"' in nav and 'href="/accounts/tokens/"' in nav


def test_staff_users_get_the_admin_site_link(world, client):
    user = world.acme.user("store")
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert 'href="/admin/"' in _nav(client.get("/").content.decode())


def test_layout_has_landmarks_skip_link_and_a_post_sign_out(world, client):
    client.force_login(world.acme.user("store"))
    body = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in body
    assert '<main id="main"' in body and "<header" in body and '<nav class="site-nav"' in body
    assert 'method="post" action="/accounts/logout/"' in body
    assert 'name="viewport"' in body


@pytest.mark.parametrize(
    ("actor", "step"),
    [
        ("admin", "People and access"),
        ("director", "Every unit in your scope"),
        ("store", "Cases"),
        ("agent", "Cases"),
        ("viewer", "Dashboard: every figure, trend and breakdown"),
    ],
)
def test_home_links_to_each_deeper_view_of_the_role(world, client, actor, step):
    client.force_login(world.acme.user(actor))
    body = client.get("/").content.decode()
    assert step in body
    unit = world.acme.members[actor].unit
    assert f'href="/units/{unit.pk}/"' in body


def test_home_is_the_regional_managers_own_region(world, client):
    """The home is the answer for the reader's scope (issue 16; its figures are tested in
    tests/analytics/test_home.py): here, her region, and nothing of the next one."""
    client.force_login(world.acme.user("regional"))
    body = client.get("/").content.decode()
    assert "<h1>Region 1.1</h1>" in body
    assert 'data-testid="home-kpis"' in body and 'data-testid="home-cases"' in body
    assert "Store 1.2.1" not in body and "Region 1.2" not in body


# --- membership switcher -------------------------------------------------------------------


@pytest.fixture
def two_hats(world):
    """The acme store manager also views a region of the other organisation."""
    user = world.acme.user("store")
    second = services.grant_membership(
        actor=world.other.system, user=user, unit=world.other.units["c2r1"], role="viewer"
    )
    return user, second


def test_switcher_changes_the_active_membership(world, client, two_hats):
    user, second = two_hats
    client.force_login(user)
    assert 'name="membership"' in client.get("/").content.decode()
    response = client.post(reverse("web:switch"), {"membership": second.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == second.pk
    context = client.get("/").content.decode().split('data-testid="active-context"', 1)[1]
    assert "Other Retail" in context.split("</p>", 1)[0]
    assert "Region 2.1" in context.split("</p>", 1)[0]


def test_switcher_refuses_someone_elses_membership(world, client, two_hats):
    user, _ = two_hats
    client.force_login(user)
    client.get("/")
    sibling = world.acme.members["sibling_store"]
    response = client.post(reverse("web:switch"), {"membership": sibling.pk})
    assert response.status_code == 404
    assert client.session.get(SESSION_KEY) != sibling.pk
    assert "Store 1.1.2" not in client.get("/").content.decode()
    assert client.post(reverse("web:switch"), {"membership": "x"}).status_code == 404


def test_switch_is_post_only(world, client):
    client.force_login(world.acme.user("store"))
    own = world.acme.members["store"]
    assert client.get(reverse("web:switch"), {"membership": own.pk}).status_code == 405


# --- CSRF ----------------------------------------------------------------------------------


def _csrf_posts(world) -> list[tuple[str, dict]]:
    acme = world.acme
    store = acme.units["c1r1s1"]
    return [
        (reverse("web:unit_create", args=[store.pk]), {"name": "X", "kind": "team", "code": "X1"}),
        (
            reverse("web:unit_update", args=[store.pk]),
            {"name": "Hijacked", "kind": "store", "code": store.code},
        ),
        (reverse("web:unit_move", args=[store.pk]), {"parent_code": acme.units["c2r1"].code}),
        (reverse("web:staff_add"), {"name": "Eve", "code": "E-9", "unit_code": store.code}),
        (
            reverse("web:people_invite"),
            {"username": "eve", "email": "e@x.test", "unit_code": store.code, "role": "admin"},
        ),
        (reverse("web:membership", args=[acme.members["store"].pk]), {"role": "admin"}),
        (reverse("web:membership_revoke", args=[acme.members["store"].pk]), {}),
        (reverse("web:switch"), {"membership": acme.members["admin"].pk}),
    ]


def test_post_forms_without_csrf_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.acme.user("admin"))
    before = (OrgUnit.objects.count(), Staff.objects.count(), Membership.objects.count())
    for url, data in _csrf_posts(world):
        assert client.post(url, data).status_code == 403, url
    after = (OrgUnit.objects.count(), Staff.objects.count(), Membership.objects.count())
    assert after == before
    store = OrgUnit.objects.get(pk=world.acme.units["c1r1s1"].pk)
    assert store.name == "Store 1.1.1" and store.parent_id == world.acme.units["c1r1"].pk
    assert Membership.objects.get(pk=world.acme.members["store"].pk).role == "manager"


def test_post_forms_carry_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.acme.user("admin"))
    store = world.acme.units["c1r1s1"]
    page = client.get(reverse("web:unit", args=[store.pk])).content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= 5  # add, edit, move, language, sign out
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("web:unit_create", args=[store.pk]),
        {"name": "Kiosk", "kind": "team", "code": "K-1", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert OrgUnit.objects.filter(code="K-1", parent=store).exists()


# --- escaping ------------------------------------------------------------------------------


def test_markup_in_names_is_rendered_escaped(world, client):
    acme = world.acme
    evil = '<script>alert("x")</script><b>Bold</b>'
    unit = services.create_unit(
        actor=acme.system, parent=acme.units["c1r1s1"], name=evil, kind="team", code="EVIL-1"
    )
    services.add_staff(actor=acme.system, unit=unit, name=evil, code="EVIL-E")
    client.force_login(acme.user("store"))
    for url in [
        "/",
        reverse("web:units"),
        reverse("web:unit", args=[unit.pk]),
        reverse("web:staff"),
    ]:
        body = client.get(url).content.decode()
        if url != "/":  # the home names units only once they have figures
            assert "&lt;script&gt;alert(" in body, url
        assert '<script>alert("x")' not in body and "<b>Bold</b>" not in body, url


# --- languages -----------------------------------------------------------------------------


def test_chinese_is_rendered_after_choosing_it(world, client):
    client.force_login(world.acme.user("store"))
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="zh-hans"' in body
    nav = _nav(body)
    assert ">首页</a>" in nav and ">组织</a>" in nav and ">员工</a>" in nav
    assert ">Home</a>" not in nav
    assert "退出登录" in body  # sign out


def test_every_language_renders_the_shell(world, client):
    client.force_login(world.acme.user("admin"))
    for code in ["en", "zh-hans", "ja", "ro"]:
        client.post("/i18n/setlang/", {"language": code, "next": "/"})
        response = client.get(reverse("web:units"))
        assert response.status_code == 200
        assert f'<html lang="{code}"' in response.content.decode()


def test_language_switcher_offers_the_configured_languages(world, client, settings):
    client.force_login(world.acme.user("store"))
    body = client.get("/").content.decode()
    for code, name in settings.LANGUAGES:
        assert f'value="{code}"' in body and name in body


def test_no_page_loads_anything_from_another_site(world, client):
    client.force_login(world.acme.user("admin"))
    body = client.get("/").content.decode()
    assert "https://" not in body and "http://" not in body and "//cdn" not in body
