"""The confirmation step of destructive or irreversible actions.

A POST without `confirmed=yes` changes nothing: it answers with a page that says what will
happen, in numbers, and repeats the same POST with the confirmation. Views call `given()` first
and `ask()` when it is not; tests post without the field and assert nothing changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_stubs_ext import StrOrPromise

FIELD = "confirmed"


def given(request: HttpRequest) -> bool:
    return request.POST.get(FIELD) == "yes"


def ask(
    request: HttpRequest,
    *,
    title: StrOrPromise,
    consequences: Sequence[StrOrPromise],
    confirm_label: StrOrPromise,
    back_url: str,
    danger: bool = True,
) -> HttpResponse:
    """The page that asks; it re-posts every field the user sent (the CSRF token aside)."""
    hidden = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", FIELD)
        for value in values
    ]
    context = {
        "title": title,
        "consequences": consequences,
        "confirm_label": confirm_label,
        "back_url": back_url,
        "hidden": hidden,
        "action": request.get_full_path(),
        "danger": danger,
    }
    return render(request, "web/confirm.html", context)
