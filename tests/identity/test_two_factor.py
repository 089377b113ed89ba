"""Two-factor for password sign-ins: enrolment with a QR code, codes good once, recovery
codes, and the policy that requires it per organisation and role."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from tests.factories import PASSWORD
from voxloop import sealing
from voxloop.identity import services
from voxloop.identity.models import TwoFactorDevice

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    answer = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def _enrol(client: Client, user) -> tuple[pyotp.TOTP, list[str]]:
    page = client.get("/identity/two-factor/")
    assert page.status_code == 200 and b"<svg" in page.content
    assert page["Cache-Control"] == "no-store"
    device = TwoFactorDevice.objects.get(user=user)
    totp = pyotp.TOTP(sealing.unseal(device.sealed_secret)["totp"])
    done = client.post("/identity/two-factor/", {"code": totp.now()})
    assert done.status_code == 200, done.content
    codes = re.findall(r"<code>([0-9a-f]{10})</code>", done.content.decode())
    assert len(codes) == 10
    return totp, codes


def test_enrolled_person_passes_a_code_at_the_next_sign_in(world):
    user = world.acme.user("store")
    totp, _ = _enrol(_signed_in(user), user)
    client = _signed_in(user)
    held = client.get("/")
    assert held.status_code == 302 and held["Location"].startswith("/identity/two-factor/verify/")
    wrong = client.post("/identity/two-factor/verify/", {"code": "000000", "next": "/"})
    assert wrong.status_code == 400
    # The enrolment's code was used; the next time step's code is accepted once.
    code = totp.at(time.time() + 30)
    assert client.post("/identity/two-factor/verify/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    again = _signed_in(user)
    assert again.post("/identity/two-factor/verify/", {"code": code}).status_code == 400


def test_a_recovery_code_works_once(world):
    user = world.acme.user("store")
    _, codes = _enrol(_signed_in(user), user)
    first = _signed_in(user)
    assert first.post("/identity/two-factor/verify/", {"code": codes[0]}).status_code == 302
    second = _signed_in(user)
    assert second.post("/identity/two-factor/verify/", {"code": codes[0]}).status_code == 400


def test_wrong_codes_are_throttled(world):
    user = world.acme.user("store")
    _enrol(_signed_in(user), user)
    client = _signed_in(user)
    answers = [
        client.post("/identity/two-factor/verify/", {"code": "123456"}).status_code
        for _ in range(7)
    ]
    assert (
        answers[-1] == 400
        and b"Too many" in client.post("/identity/two-factor/verify/", {"code": "123456"}).content
    )


def test_the_policy_requires_enrolment_for_the_named_roles_only(world):
    services.save_policy(
        actor=world.acme.scope("admin"),
        fields={"two_factor_required": True, "two_factor_roles": "manager"},
    )
    manager = _signed_in(world.acme.user("store"))
    held = manager.get("/")
    assert held.status_code == 302 and held["Location"] == "/identity/two-factor/"
    analyst = _signed_in(world.acme.user("analyst"))
    assert analyst.get("/").status_code == 200
    # Another organisation's managers are not touched by Acme's policy.
    assert _signed_in(world.other.user("store")).get("/").status_code == 200
