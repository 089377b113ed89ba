"""Who may open each text analytics page: every actor × every page, against Acme's whole-
company taxonomy (a country admin reads it but only the company's admins change it)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.api.support import MEMBER_ACTORS
from tests.web.matrix_world import ModuleWorld
from voxloop.textanalytics import services
from voxloop.textanalytics.models import ThemeTerm

ACTORS = [*MEMBER_ACTORS, "loner", "anonymous"]
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _row(admin, country_admin, others, other_admin, **overrides) -> dict[str, int]:
    row = {name: others for name in MEMBER_ACTORS}
    row.update(admin=admin, country_admin=country_admin, other_admin=other_admin)
    row.update(loner=403, anonymous=302)
    row.update(overrides)
    return row


EDITOR_WRITE = _row(302, 403, 403, 404)
TEXT_PAGE_MATRIX: dict[str, dict[str, int]] = {
    "textanalytics:insights": _row(200, 200, 200, 200),
    "textanalytics:explorer": _row(200, 200, 200, 200, viewer=403),
    "textanalytics:themes": _row(200, 200, 403, 200),
    "textanalytics:theme_matches": _row(200, 200, 403, 404),
    "textanalytics:theme_action": EDITOR_WRITE,
    "textanalytics:term_remove": EDITOR_WRITE,
    "textanalytics:taxonomy_action": EDITOR_WRITE,
}
PAGES = {
    "textanalytics:insights": ("get", "/text/", None),
    "textanalytics:explorer": ("get", "/text/comments/", None),
    "textanalytics:themes": ("get", "/text/themes/", None),
    "textanalytics:theme_matches": (
        "get",
        "/text/themes/{theme}/matches/?text=line&language=en",
        None,
    ),
    "textanalytics:theme_action": ("post", "/text/themes/{theme}/rename/", {"name": "Lines"}),
    "textanalytics:term_remove": ("post", "/text/terms/{term}/remove/", {}),
    "textanalytics:taxonomy_action": (
        "post",
        "/text/taxonomies/{taxonomy}/add_theme/",
        {"name": "Parking"},
    ),
}


@pytest.fixture(scope="module")
def page_world(django_db_setup, django_db_blocker):
    settings = override_settings(TASKS=DUMMY_TASKS, PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), settings, ModuleWorld() as world:
        taxonomy = services.install_default_taxonomy(scope=world.acme.system, kind="retail")
        theme = taxonomy.themes.get(key="queue")
        term = ThemeTerm.objects.filter(theme=theme).exclude(kind="label").first()
        targets = {"taxonomy": taxonomy.pk, "theme": theme.pk, "term": term.pk}
        yield world, targets


def _client(world, name: str) -> Client:
    client = Client()
    if name == "loner":
        client.force_login(world.loner)
    elif name == "other_admin":
        client.force_login(world.other.user("admin"))
    elif name != "anonymous":
        client.force_login(world.acme.user(name))
    return client


@pytest.mark.parametrize("page", sorted(TEXT_PAGE_MATRIX))
def test_text_page_matrix(page_world, db, page):
    from django.db import transaction

    world, targets = page_world
    method, path, form = PAGES[page]
    for name, value in targets.items():
        path = path.replace(f"{{{name}}}", str(value))
    failures = []
    for actor in ACTORS:
        with transaction.atomic():
            client = _client(world, actor)
            answer = client.get(path) if method == "get" else client.post(path, form)
            transaction.set_rollback(True)
        if answer.status_code != TEXT_PAGE_MATRIX[page][actor]:
            failures.append((actor, answer.status_code, TEXT_PAGE_MATRIX[page][actor]))
    assert not failures, failures


def test_the_matrix_covers_every_page():
    from django.urls import get_resolver

    served = {
        f"textanalytics:{p.name}"
        for p in get_resolver().url_patterns
        for p in getattr(p, "url_patterns", [])
        if getattr(p, "name", None) and p.name in {k.split(":")[1] for k in PAGES}
    }
    assert served == set(TEXT_PAGE_MATRIX) == set(PAGES)
