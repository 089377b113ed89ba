"""Each privacy test module builds its world once and rolls every test back to it (the
pattern of tests/web/matrix_world.py): `built = built_once(make)` in the module, where
`make(world)` adds what the module needs; tests then ask for `world` and `made`."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.web.matrix_world import ModuleWorld

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def built_once(make, tasks=DUMMY):
    @pytest.fixture(scope="module")
    def built(django_db_setup, django_db_blocker):
        settings = override_settings(TASKS=tasks, PASSWORD_HASHERS=FAST_HASHERS)
        with django_db_blocker.unblock(), settings, ModuleWorld() as world:
            yield world, make(world), tasks

    return built


@pytest.fixture
def world(built, db, settings):
    """The module's world (its `built`, set up before the test's own transaction begins),
    with the module's task backend for this test too."""
    world, _made, tasks = built
    settings.TASKS = tasks
    return world


@pytest.fixture
def made(built, world):
    return built[1]
