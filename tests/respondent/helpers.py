"""A respondent driving the survey pages through Django's test client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import Client


class Respondent:
    def __init__(self, client: Client, key: str, **params: str) -> None:
        self.client = client
        self.key = key
        self.params = params
        self.token = ""

    @property
    def url(self) -> str:
        return f"/s/{self.key}"

    def open(self, **extra: str):
        query = {**self.params, **extra}
        if self.token and "r" not in query:
            query["r"] = self.token
        return self.client.get(f"{self.url}?{urlencode(query)}" if query else self.url)

    def answer(self, question: str, value, action: str = "next", **fields):
        data = {**self.params, "q": question, "action": action, **fields}
        if value is not None:
            data[question] = value
        if self.token:
            data["r"] = self.token
        response = self.client.post(self.url, data)
        if response.status_code == 303:
            query = parse_qs(urlsplit(response["Location"]).query)
            self.token = query.get("r", [self.token])[0]
        return response

    def follow(self, response):
        return self.client.get(response["Location"])


def next_question(response) -> str:
    """The question key the redirect after an answer leads to ('' for the thank-you page)."""
    location = response["Location"]
    if "/done" in location:
        return ""
    return parse_qs(urlsplit(location).query).get("q", [""])[0]
