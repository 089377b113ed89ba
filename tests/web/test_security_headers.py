"""Platform hardening: a Content-Security-Policy without 'unsafe-inline' and the other headers on
every answer, no inline script, handler or style that the policy would block, owner-only files
in VOXLOOP_HOME, and cookies no script can read."""

from __future__ import annotations

import base64
import hashlib
import re
import stat
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import build_world
from tests.respondent.helpers import Respondent
from voxloop.web import headers

SRC = Path(__file__).resolve().parents[2] / "src" / "voxloop"
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.S
)
STYLE_BLOCK = re.compile(r"<style([^>]*)>", re.S)
# Emails are not web pages: mail programs need their styles inline, and no CSP applies.
PAGE_TEMPLATES = [
    path
    for path in SRC.rglob("templates/**/*.html")
    if "/email/" not in str(path) and path.name != "email_nps_row.html"
]


def directives(answer) -> dict[str, str]:
    policy = answer["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[-1] for d in policy.split("; ")}


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_has_a_style_attribute_or_an_inline_handler(template):
    html = template.read_text()
    assert not re.search(r"\sstyle=", html), "style attributes need 'unsafe-inline'"
    assert not re.search(r"\son[a-z]+=", html), "inline handlers need 'unsafe-inline'"
    assert "javascript:" not in html
    for attributes in STYLE_BLOCK.findall(html):
        assert 'nonce="{{ csp_nonce }}"' in attributes, "a <style> block needs the nonce"
    for script in INLINE_SCRIPT.findall(html):
        assert script == headers.SHELL_SCRIPT, "the only inline script is allowed by its hash"


def test_the_hash_is_the_shells_inline_script():
    base = (SRC / "web/templates/web/base.html").read_text()
    assert f"<script>{headers.SHELL_SCRIPT}</script>" in base
    digest = base64.b64encode(hashlib.sha256(headers.SHELL_SCRIPT.encode()).digest()).decode()
    assert (f"'sha256-{digest}'",) == headers.SCRIPT_HASHES


def test_pages_api_and_static_files_carry_the_headers(db):
    world = build_world()
    client = Client()
    client.force_login(world.acme.user("store"))
    for path in ("/", "/analytics/", "/accounts/tokens/", "/api/v1/me", "/api/v1/docs"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        policy = directives(answer)
        assert "'unsafe-inline'" not in answer["Content-Security-Policy"]
        assert "'unsafe-eval'" not in answer["Content-Security-Policy"]
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert policy["script-src"] == "'self' " + " ".join(headers.SCRIPT_HASHES)
        assert "camera=()" in answer["Permissions-Policy"]
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert answer["X-Frame-Options"] == "DENY"
        assert answer["Referrer-Policy"] == "same-origin"
        assert answer["Cache-Control"] == "no-store"  # a signed-in person's page
    page = client.get("/analytics/")
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"]).group(1)
    assert nonce != re.search(r"'nonce-([^']+)'", client.get("/")["Content-Security-Policy"])[1]
    static = Client().get("/static/web/voxloop.css")
    assert "Content-Security-Policy" in static and "Cache-Control" in static


def test_a_style_block_carries_the_nonce_of_its_answer(db):
    """The respondent pages set the survey's colours in a style block: its nonce is the one in
    the policy of the same answer."""
    from tests.surveys.builders import store_visit_survey

    world = build_world()
    survey = store_visit_survey(world.acme)
    answer = Client().get(f"/s/{survey.public_slug}")
    html = answer.content.decode()
    [nonce] = re.findall(r'<style nonce="([^"]+)">body\{--brand:#', html)
    assert f"'nonce-{nonce}'" in directives(answer)["style-src"]
    assert not re.search(r"\sstyle=", html)


def test_framed_pages_keep_their_own_frame_ancestors():
    """The widget's frames set frame-ancestors to their origins (decision 0009); pages that
    allow their own site to frame them get 'self'; the rest is filled in."""
    widget = headers.content_security_policy("n", "frame-ancestors https://shop.example")
    assert "frame-ancestors https://shop.example" in widget
    assert "script-src 'self'" in widget and "'nonce-n'" in widget
    preview = headers.content_security_policy("n", "", x_frame_options="SAMEORIGIN")
    assert "frame-ancestors 'self'" in preview


def test_voxloop_home_and_what_it_holds_are_the_owners_only(tmp_path, monkeypatch):
    from voxloop.config import env
    from voxloop.config.mail import PrivateFileBackend

    home = tmp_path / "home"
    monkeypatch.setenv("VOXLOOP_HOME", str(home))
    assert stat.S_IMODE(env.voxloop_home().stat().st_mode) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    monkeypatch.setenv("VOXLOOP_HOME", str(loose))
    assert stat.S_IMODE(env.voxloop_home().stat().st_mode) == 0o700  # tightened
    database = home / "voxloop.sqlite3"
    env.private_file(database)
    assert stat.S_IMODE(database.stat().st_mode) == 0o600

    from django.core.mail import EmailMessage

    backend = PrivateFileBackend(file_path=str(home / "mail"))
    backend.send_messages([EmailMessage("Reset", "https://x/reset/abc", to=["a@example.test"])])
    [written] = (home / "mail").iterdir()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "mail").stat().st_mode) == 0o700


def test_the_real_settings_keep_files_and_cookies_private():
    from voxloop.config import settings as real

    assert real.FILE_UPLOAD_PERMISSIONS == 0o600
    assert real.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
    assert real.SESSION_COOKIE_HTTPONLY and real.CSRF_COOKIE_HTTPONLY
    assert real.LANGUAGE_COOKIE_HTTPONLY
    assert real.MIDDLEWARE[0] == "voxloop.web.headers.SecurityHeadersMiddleware"
    if real.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        pytest.fail("development mail must be written owner-only")


def test_the_resume_cookie_is_http_only(db):
    from tests.surveys.builders import store_visit_survey

    world = build_world()
    survey = store_visit_survey(world.acme)
    answer = Respondent(Client(), survey.public_slug).answer("nps", "9")
    resume = [c for name, c in answer.cookies.items() if name.startswith("vx_resume_")]
    assert resume and all(c["httponly"] for c in resume)
