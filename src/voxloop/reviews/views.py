"""Placeholder until the pages land."""

from django.http import HttpRequest, HttpResponse


def review_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    return HttpResponse("")
