"""The JSON API at /api/v1/: every app contributes a router; this file only assembles them."""

import copy
from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema

from voxloop import __version__
from voxloop.api.auth import api_auth
from voxloop.api.errors import document_errors, install_error_handlers
from voxloop.api.http import around

# The schema, its page and the index are documents, not operations.
UNWRAPPED = {"openapi-json", "openapi-view", "api-root"}


class VoxloopAPI(NinjaAPI):
    """Ninja's API whose schema also lists the JSON errors every operation can answer with."""

    _schemas: dict[str, OpenAPISchema]

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> OpenAPISchema:
        # Built once per process and prefix: the routes do not change while it runs, and
        # building it walks every operation's models (0.3-0.5 s, many seconds on a loaded
        # machine, long enough for the docs page to sit on its loading state).
        key = repr((args, sorted(kwargs.items())))
        schemas = self.__dict__.setdefault("_schemas", {})
        if key not in schemas:
            schema = super().get_openapi_schema(*args, **kwargs)
            document_errors(schema)
            schemas[key] = schema
        return copy.deepcopy(schemas[key])

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        """Ninja's URLs, each operation's view wrapped in what every answer shares (rate
        limits, idempotency keys, ETags, next links: voxloop.api.http)."""
        urls = super()._get_urls()
        wrapped: dict[int, Callable] = {}
        for pattern in urls:
            if not isinstance(pattern, URLPattern) or pattern.name in UNWRAPPED:
                continue
            view = pattern.callback
            pattern.callback = wrapped.setdefault(id(view), around(view))
        return urls


api = VoxloopAPI(
    title="Voxloop API",
    version=__version__,
    description=(
        "Scoped to the caller: a token or session sees its membership's unit subtree only. "
        "Authenticate with `Authorization: Bearer <token>` (create one on your tokens page)."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs=Swagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)


def _mount_routers() -> None:
    from voxloop.accounts.api import router as accounts_router
    from voxloop.analytics.api import router as analytics_router
    from voxloop.closedloop.api import router as closedloop_router
    from voxloop.contacts.api import router as contacts_router
    from voxloop.crm.api import router as crm_router
    from voxloop.distribution.api import router as distribution_router
    from voxloop.exports.api import router as exports_router
    from voxloop.feedback360.api import router as feedback360_router
    from voxloop.health.api import router as health_router
    from voxloop.ideas.api import router as ideas_router
    from voxloop.journeys.api import router as journeys_router
    from voxloop.privacy.api import router as privacy_router
    from voxloop.pulse.api import router as pulse_router
    from voxloop.responses.api import router as responses_router
    from voxloop.reviews.api import router as reviews_router
    from voxloop.surveys.api import router as surveys_router
    from voxloop.tenancy.api import router as tenancy_router
    from voxloop.textanalytics.api import product_router as text_product_router
    from voxloop.textanalytics.api import router as text_router
    from voxloop.webhooks.api import router as webhooks_router

    # URLs are matched in this order: the busiest endpoint (storing responses) first.
    api.add_router("/", responses_router)
    api.add_router("/", accounts_router)
    api.add_router("/", tenancy_router)
    api.add_router("/", surveys_router)
    api.add_router("/", closedloop_router)
    api.add_router("/", analytics_router)
    api.add_router("/", contacts_router)
    api.add_router("/", distribution_router)
    api.add_router("/", privacy_router)
    api.add_router("/", text_router)
    api.add_router("/", text_product_router)
    api.add_router("/", webhooks_router)
    api.add_router("/", exports_router)
    api.add_router("/", reviews_router)
    api.add_router("/", ideas_router)
    api.add_router("/", health_router)
    api.add_router("/", crm_router)
    api.add_router("/", journeys_router)
    api.add_router("/", feedback360_router)
    api.add_router("/", pulse_router)


_mount_routers()
