import re

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.factories import PASSWORD, make_user
from voxloop.accounts import services
from voxloop.accounts.tasks import send_password_email
from voxloop.errors import InvalidInput

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/reset/[^\s\"<>]+/")


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.BASE_URL = "https://cx.example.test"


def queued_emails() -> list[dict]:
    return [row.args_kwargs["args"] for row in DBTaskResult.objects.all()]


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(
    client, db, db_tasks, django_capture_on_commit_callbacks
):
    make_user("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.test"})
    assert queued_emails() == []
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/password-reset/", {"email": "CLERK@example.test"})
    assert len(queued_emails()) == 1
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    page = client.get(known["Location"])
    assert "If an account uses that address" in page.content.decode()


def test_invalid_email_gets_a_field_error_not_a_500(client, db):
    response = client.post("/accounts/password-reset/", {"email": "not-an-email"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_invitation_queues_the_same_set_password_email(
    db, world, db_tasks, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    acme = world.acme
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.invite_user(
            actor=acme.scope("admin"),
            username="newbie",
            email="newbie@example.test",
            unit=acme.units["c1r1s1"],
            role="manager",
        )
    [args] = queued_emails()
    assert args[:2] == [membership.user_id, "invite"]
    # Run the task body as a worker would and look at the email it sends.
    send_password_email.call(*args)
    [email] = mail.outbox
    assert email.to == ["newbie@example.test"]
    assert "invited" in email.subject
    [link] = set(LINK.findall(email.body))
    assert link.startswith("https://cx.example.test/accounts/reset/")
    html, mime = email.alternatives[0]
    assert mime == "text/html" and link in html and "newbie" in html


def test_invitation_that_fails_queues_nothing(
    db, world, db_tasks, django_capture_on_commit_callbacks
):
    acme = world.acme
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        services.invite_user(
            actor=acme.scope("admin"),
            username="ghost",
            email="ghost@example.test",
            unit=acme.units["c1"],
            role="emperor",
        )
    assert queued_emails() == []


def test_task_for_a_deactivated_user_sends_nothing(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = make_user("gone")
    user.is_active = False
    user.save()
    assert send_password_email.call(user.pk, "reset", "en") is False
    assert mail.outbox == []


def test_broken_link_says_so(client, db):
    response = client.get("/accounts/reset/MQ/bad-token/")
    assert response.status_code == 200
    assert "This link is not valid any more" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_password_reset_end_to_end_through_smtp_and_the_db_worker(client, smtp_settings, db_tasks):
    """The request queues a task; only the worker sends; the link sets a working password."""
    smtp = smtp_settings
    user = make_user("clerk")
    response = client.post("/accounts/password-reset/", {"email": "clerk@example.test"})
    assert response.status_code == 302
    assert smtp.messages == []  # nothing is sent inside the request

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    [delivered] = smtp.wait_for(1)
    assert delivered.recipients == ["clerk@example.test"]
    assert delivered.message["Subject"] == "Reset your Voxloop password"
    text = delivered.part("text/plain")
    html = delivered.part("text/html")
    [link] = set(LINK.findall(text))
    assert link in html
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    path = link.removeprefix("https://cx.example.test")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_password_url, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200 and weak.context["form"].errors["new_password2"]
    new_password = "a-brand-new-Passphrase-42"
    done = client.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"

    assert (
        client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD}).status_code
        == 200
    )
    signed_in = client.post("/accounts/login/", {"username": "clerk", "password": new_password})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    # The link works once.
    assert "not valid any more" in client.get(path, follow=True).content.decode()


def test_reset_emails_per_address_are_limited_but_the_answer_is_not(
    client, db, db_tasks, django_capture_on_commit_callbacks
):
    make_user("clerk")
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/password-reset/", {"email": "clerk@example.test"})
        assert response.status_code == 302
    assert len(queued_emails()) == services.RESETS_PER_ADDRESS_PER_HOUR
