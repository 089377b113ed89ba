import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD, make_user

LOGIN = "/accounts/login/"


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def clerk(db):
    return make_user("clerk")


def test_login_page_renders_translated_form_in_the_shell(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport"' in html  # from web/base.html
    assert 'name="csrfmiddlewaretoken"' in html
    assert reverse("accounts:password_reset") in html
    response = client.get(LOGIN, headers={"accept-language": "ja"})
    assert response.status_code == 200
    assert 'lang="ja"' in response.content.decode()


def test_right_password_signs_in_and_logout_needs_post(client, clerk):
    response = sign_in(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(clerk.pk)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_as(client) == str(clerk.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in_as(client) is None


def test_after_limit_failures_even_right_password_gets_429(client, clerk, settings):
    settings.LOGIN_RATE_LIMIT = 5
    for _ in range(5):
        response = sign_in(client, "clerk", "wrong-password")
        assert response.status_code == 200
        assert signed_in_as(client) is None
    response = sign_in(client, "clerk", PASSWORD)
    assert response.status_code == 429
    assert signed_in_as(client) is None
    assert int(response["Retry-After"]) > 0
    text = response.content.decode()
    assert "Too many failed sign-in attempts" in text
    assert "try again in 15 minutes" in text


def test_limit_is_per_username(client, clerk):
    make_user("cashier")
    for _ in range(5):
        sign_in(client, "clerk", "wrong-password")
    assert sign_in(client, "Clerk", PASSWORD).status_code == 429  # case does not dodge it
    response = sign_in(client, "cashier", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == str(get_user_model().objects.get(username="cashier").pk)


def test_success_clears_the_username_counter(client, clerk):
    for _ in range(4):
        sign_in(client, "clerk", "wrong-password")
    assert sign_in(client, "clerk", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert sign_in(client, "clerk", "wrong-password").status_code == 200
    assert sign_in(client, "clerk", PASSWORD).status_code == 302


def test_address_is_blocked_after_four_times_the_limit(client, db, settings):
    settings.LOGIN_RATE_LIMIT = 2
    make_user("late-user")
    for n in range(8):  # eight different usernames, two failures each would not block one
        sign_in(client, f"guess-{n}", "nope", REMOTE_ADDR="203.0.113.9")
    assert sign_in(client, "late-user", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    other_address = sign_in(client, "late-user", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert other_address.status_code == 302


@pytest.mark.django_db
def test_real_settings_hash_passwords_with_argon2(settings):
    from voxloop.config import settings as real_settings

    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    user = make_user("hashed")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)
