"""A person's language preference: saved by the shell's language switcher (POST
/accounts/language/), audited, and what their emails are written in."""

import pytest
from django.test import Client

from voxloop.accounts import selectors, services
from voxloop.accounts.models import Profile
from voxloop.errors import InvalidInput
from voxloop.tenancy.models import AuditEntry

SWITCH = "/accounts/language/"


def test_switcher_saves_the_preference_and_the_page_follows(world):
    c = Client()
    user = world.acme.user("store")
    c.force_login(user)
    assert 'action="/accounts/language/"' in c.get("/").content.decode()
    response = c.post(SWITCH, {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Profile.objects.get(user=user).language == "zh-hans"
    assert selectors.preferred_language(user) == "zh-hans"
    assert '<html lang="zh-hans"' in c.get("/").content.decode()
    entry = AuditEntry.objects.get(action="user.language")
    assert entry.actor_id == user.pk and entry.changes == {"language": ["", "zh-hans"]}
    # Choosing the same language again changes nothing and logs nothing.
    c.post(SWITCH, {"language": "zh-hans", "next": "/"})
    assert AuditEntry.objects.filter(action="user.language").count() == 1


def test_unknown_language_saves_nothing(world):
    c = Client()
    user = world.acme.user("store")
    c.force_login(user)
    response = c.post(SWITCH, {"language": "klingon", "next": "/"})
    assert response.status_code == 302
    assert not Profile.objects.filter(user=user).exists()
    assert selectors.preferred_language(user) == "en"
    with pytest.raises(InvalidInput) as error:
        services.set_language(user=user, language="klingon")
    assert error.value.field == "language"


def test_signed_out_visitors_switch_by_cookie_only(world):
    c = Client()
    response = c.post(SWITCH, {"language": "ja", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ja"
    assert not Profile.objects.exists()
    assert c.get(SWITCH).status_code == 405


def test_switching_needs_the_csrf_token(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.acme.user("store"))
    assert c.post(SWITCH, {"language": "ja", "next": "/"}).status_code == 403
    assert not Profile.objects.exists()


def test_fallback_is_the_installation_language(world, settings):
    settings.LANGUAGE_CODE = "ro"
    users = [world.acme.user("store"), world.acme.user("regional")]
    services.set_language(user=users[0], language="ja")
    assert selectors.preferred_languages({u.pk for u in users}) == {
        users[0].pk: "ja",
        users[1].pk: "ro",
    }
