"""Two editors who read the same version and save at the same instant: exactly one wins, the
other gets 412 and nothing is lost. Real concurrency needs real connections: PostgreSQL (its
advisory lock is what serialises them); SQLite's test server shares one in-memory connection
between threads, and its writes are serialised by IMMEDIATE transactions anyway."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.factories import build_org
from tests.surveys.builders import store_visit_survey
from voxloop.accounts import services as account_services


def _call(url: str, token: str, method: str = "GET", body: dict | None = None, tag: str = ""):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if tag:
        headers["If-Match"] = tag
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers.get("ETag"), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("ETag"), json.loads(error.read() or b"{}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs separate connections")
def test_of_two_simultaneous_editors_exactly_one_wins(live_server, transactional_db):
    acme = build_org("acme", "A")
    survey = store_visit_survey(acme)
    tokens = [
        account_services.create_token(membership=acme.members["admin"], name=f"editor {i}").secret
        for i in range(2)
    ]
    url = f"{live_server.url}/api/v1/surveys/{survey.pk}"
    _, tag, _ = _call(url, tokens[0])
    start = threading.Barrier(2)
    answers: dict[str, tuple] = {}

    def edit(token: str, name: str) -> None:
        start.wait()
        answers[name] = _call(url, token, "PATCH", {"name": name}, tag)

    editors = [
        threading.Thread(target=edit, args=(t, n)) for t, n in zip(tokens, "AB", strict=True)
    ]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join(60)
    statuses = sorted(status for status, _, _ in answers.values())
    assert statuses == [200, 412], answers
    [winner] = [name for name, (status, _, _) in answers.items() if status == 200]
    assert _call(url, tokens[0])[2]["name"] == winner
