from django.contrib import admin
from django.urls import include, path, re_path

from voxloop.accounts.views import admin_login
from voxloop.api.api import api
from voxloop.api.errors import unknown_path
from voxloop.web.favicon import favicon
from voxloop.web.health import healthz, livez

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    # Before the admin's own: its sign-in form goes through the product's throttled one.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", unknown_path, name="api_unknown_path"),  # any rest, line breaks too
    path("accounts/", include("voxloop.accounts.urls")),
    path("identity/", include("voxloop.identity.urls")),
    path("scim/v2/", include("voxloop.identity.scim.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("s/", include("voxloop.surveys.respondent.urls")),
    path("surveys/", include("voxloop.surveys.builder.urls")),
    path("cases/", include("voxloop.closedloop.urls")),
    path("analytics/", include("voxloop.analytics.urls")),
    path("text/", include("voxloop.textanalytics.urls")),
    path("contacts/", include("voxloop.contacts.urls")),
    path("privacy/", include("voxloop.privacy.urls")),
    path("webhooks/", include("voxloop.webhooks.urls")),
    path("reviews/", include("voxloop.reviews.urls")),
    path("ideas/", include("voxloop.ideas.urls")),
    path("feedback360/", include("voxloop.feedback360.urls")),
    path("pulse/", include("voxloop.pulse.urls")),
    path("health/", include("voxloop.health.urls")),
    path("crm/", include("voxloop.crm.urls")),
    path("journeys/", include("voxloop.journeys.urls")),
    path("exports/", include("voxloop.exports.urls")),
    path("", include("voxloop.distribution.urls")),  # /o/ (public) and /outreach/
    path("", include("voxloop.web.urls")),
]

handler403 = "voxloop.web.views.shell.forbidden"
handler404 = "voxloop.web.views.shell.not_found"
