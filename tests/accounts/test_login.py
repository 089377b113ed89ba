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


def test_behind_a_proxy_a_forged_forwarded_for_does_not_dodge_the_address_limit(
    client, db, settings
):
    """The proxy appends the address it saw; what the client wrote before it is not evidence."""
    settings.TRUST_X_FORWARDED_FOR = True
    settings.LOGIN_RATE_LIMIT = 2
    make_user("late-user")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(8):
        forged = f"198.51.100.{n}, 203.0.113.9"  # "<client's claim>, <what the proxy saw>"
        sign_in(client, f"guess-{n}", "nope", HTTP_X_FORWARDED_FOR=forged, **proxy)
    blocked = sign_in(
        client, "late-user", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9", **proxy
    )
    assert blocked.status_code == 429


def test_a_forwarded_for_that_is_not_an_address_is_not_logged_as_one(client, db, settings):
    from voxloop.tenancy.models import AuditEntry
    from voxloop.tenancy.scoping import Scope
    from voxloop.tenancy.services import create_organization, grant_membership

    settings.TRUST_X_FORWARDED_FOR = True
    root = create_organization(name="Acme", slug="acme")
    grant_membership(actor=Scope.system(root), user=make_user("clerk"), unit=root, role="viewer")
    response = sign_in(
        client, "clerk", PASSWORD, HTTP_X_FORWARDED_FOR="<script>", REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 302  # a garbage header is not a 500 (PostgreSQL inet)
    entry = AuditEntry.objects.get(action="session.login")
    assert entry.ip_address == "127.0.0.1"


def test_unicode_look_alikes_of_a_username_share_its_limit(client, clerk, settings):
    """Django signs in "ｃｌｅｒｋ" (full-width) as clerk after NFKC normalisation, so the
    throttle must count it as clerk too, or each variant buys a fresh set of guesses."""
    settings.LOGIN_RATE_LIMIT = 5
    variants = ["ｃlerk", "cｌerk", "clｅrk", "cleｒk", "clerｋ"]
    for variant in variants:
        assert sign_in(client, variant, "wrong-password").status_code == 200
    assert sign_in(client, "ｃｌｅｒｋ", PASSWORD).status_code == 429
    assert signed_in_as(client) is None


def test_a_username_is_stored_as_the_sign_in_form_will_look_it_up(client, db):
    """The form normalises what is typed (NFKC); a name stored un-normalised could never sign
    in, and its look-alike could sit beside an existing user."""
    from voxloop.accounts.services import create_user
    from voxloop.errors import Conflict, InvalidInput

    user = create_user(username="ｊｏｈｎ", password=PASSWORD, check_password=False)
    assert user.username == "john"
    assert sign_in(client, "john", PASSWORD).status_code == 302
    with pytest.raises(Conflict):
        create_user(username="Ｊohn")
    with pytest.raises(InvalidInput) as error:
        create_user(username="john smith!")
    assert error.value.field == "username"
