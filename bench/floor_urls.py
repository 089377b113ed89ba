"""The product's URLs, and the floor of a stored response for bench/submit.py."""

import json

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from voxloop import rows
from voxloop.config.urls import handler403, handler404  # noqa: F401
from voxloop.config.urls import urlpatterns as product
from voxloop.responses.models import Response


@csrf_exempt
def store_unchecked(request):
    """The least any capture that stores before it answers can cost on this server: the same
    JSON body parsed and one INSERT in autocommit. No token, no scope, no validation, no
    scoring, no Django Ninja, no event."""
    body = json.loads(request.body)
    now = timezone.now()
    response = Response(
        organization_id=body["organization_id"],
        survey_id=body["survey_id"],
        unit_path=body["unit_path"],
        channel="kiosk",
        answers=body["answers"],
        is_complete=True,
        started_at=now,
        submitted_at=now,
    )
    rows.insert(response)
    return JsonResponse({"id": response.pk}, status=201)


urlpatterns = [path("bench/floor", store_unchecked), *product]
