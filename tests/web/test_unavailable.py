"""A database or Redis outage answers 503 with Retry-After, never a traceback (decision 0039)."""

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError

from voxloop.web.unavailable import UnavailableMiddleware


def _failing(error):
    def view(request):
        raise error

    return view


@pytest.mark.parametrize("error", [OperationalError("gone"), RedisConnectionError("gone")])
def test_an_outage_answers_503_with_retry_after(error):
    request = RequestFactory().post("/api/v1/responses")
    answer = UnavailableMiddleware(_failing(error))(request)
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert json.loads(answer.content)["error"]["code"] == "unavailable"
    # In English: the middleware speaks the language the request activated, and a request
    # factory activates none (an earlier test's language would otherwise still be active).
    with translation.override("en"):
        page = UnavailableMiddleware(_failing(error))(RequestFactory().get("/dashboard/"))
    assert page.status_code == 503 and b"try again" in page.content


def test_other_errors_are_not_hidden():
    with pytest.raises(ValueError):
        UnavailableMiddleware(_failing(ValueError("bug")))(RequestFactory().get("/"))
