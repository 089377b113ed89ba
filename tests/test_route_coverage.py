"""Every URL the product serves is in a permission matrix, or is a public or self-service
route with a named test module that exercises it. Adding a route without either fails here."""

from pathlib import Path

from django.urls import URLResolver, get_resolver

from tests.analytics.test_permission_matrix import ANALYTICS_MATRIX
from tests.api.test_closedloop_api_matrix import CLOSEDLOOP_API_MATRIX
from tests.api.test_exports_api_matrix import EXPORTS_API_MATRIX
from tests.api.test_permission_matrix import API_MATRIX
from tests.api.test_survey_api_matrix import SURVEY_API_MATRIX
from tests.closedloop.test_pages import CLOSEDLOOP_MATRIX
from tests.crm.matrix.test_matrix import CRM_API_MATRIX, CRM_PAGE_MATRIX
from tests.distribution.test_api_matrix import MATRIX as OUTREACH_API_MATRIX
from tests.distribution.test_page_matrix import DISTRIBUTION_PAGE_MATRIX
from tests.feedback360.matrix.test_matrix import F360_API_MATRIX, F360_PAGE_MATRIX
from tests.health.test_matrix import HEALTH_MATRIX
from tests.ideas.matrix.test_matrix import IDEAS_API_MATRIX, IDEAS_PAGE_MATRIX
from tests.identity.test_pages import IDENTITY_PAGE_MATRIX
from tests.journeys.matrix.test_matrix import JOURNEYS_API_MATRIX, JOURNEYS_PAGE_MATRIX
from tests.privacy.test_matrix import PRIVACY_API_MATRIX, PRIVACY_PAGE_MATRIX
from tests.pulse.matrix.test_matrix import PULSE_API_MATRIX, PULSE_PAGE_MATRIX
from tests.reviews.matrix.test_matrix import REVIEWS_API_MATRIX, REVIEWS_PAGE_MATRIX
from tests.surveys.test_builder_matrix import BUILDER_MATRIX
from tests.textanalytics.test_api_matrix import MATRIX as TEXT_API_MATRIX
from tests.textanalytics.test_page_matrix import TEXT_PAGE_MATRIX
from tests.web.test_page_matrix import PAGE_MATRIX
from tests.webhooks.matrix.test_matrix import WEBHOOKS_API_MATRIX, WEBHOOKS_PAGE_MATRIX

TESTS = Path(__file__).parent

# Routes that belong to no scope (public, or about the signed-in user's own things), each with
# the module that tests them and a text that module must contain (the route's path).
OUTSIDE_THE_MATRIX = {
    "favicon": ("web/test_polish.py", "/favicon.ico"),
    # One's own exports: the kinds' roles are in the reach table; each file is its requester's.
    "exports:list": ("exports/test_exports.py", "/exports/"),
    "exports:create": ("exports/test_exports.py", "/exports/new/"),
    "exports:download": ("exports/test_exports.py", "/download/"),
    "healthz": ("config/test_health.py", "/healthz"),
    "livez": ("config/test_health.py", "/livez"),
    "set_language": ("web/test_shell.py", "/i18n/setlang"),
    "accounts:login": ("accounts/test_login.py", "/accounts/login/"),
    "admin_login": ("accounts/test_throttle_windows.py", "/admin/login/"),
    "accounts:logout": ("accounts/test_login.py", "/accounts/logout/"),
    "accounts:password_reset": ("accounts/test_password_reset.py", "/accounts/password-reset/"),
    "accounts:password_reset_done": ("accounts/test_password_reset.py", "password-reset"),
    "accounts:password_reset_confirm": ("accounts/test_password_reset.py", "/accounts/reset/"),
    "accounts:password_reset_complete": ("accounts/test_password_reset.py", "/accounts/reset/"),
    "accounts:set_language": ("accounts/test_language.py", "/accounts/language/"),
    "accounts:tokens": ("accounts/test_tokens_page.py", "/accounts/tokens/"),
    "accounts:revoke_token": ("accounts/test_tokens_page.py", "/revoke/"),
    "respondent:page": ("respondent/test_anonymous.py", "/s/"),
    "respondent:done": ("respondent/test_anonymous.py", "/done"),
    "respondent:one_click": ("respondent/test_personal.py", "/nps/"),
    "distribution:click": ("distribution/test_campaign_email.py", "/o/c/"),
    "distribution:opened": ("distribution/test_campaign_email.py", "/o/p/"),
    "distribution:unsubscribe": ("distribution/test_triggers_followups.py", "/o/u/"),
    "distribution:tracking_webhook": ("distribution/test_triggers_followups.py", "/o/webhooks/"),
    "distribution:widget_loader": ("distribution/test_widget.py", ".js"),
    "distribution:widget_check": ("distribution/test_widget.py", "/check"),
    "distribution:widget_frame": ("distribution/test_widget.py", "/w/f/"),
    "distribution:widget_done": ("distribution/test_widget.py", "/done"),
    "distribution:sms_status": ("distribution/test_sms_hooks.py", "/o/hooks/sms/"),
    "distribution:sms_inbound": ("distribution/test_sms_hooks.py", "/inbound"),
    "api:api-root": ("api/test_openapi.py", "/api/v1/"),
    "api_unknown_path": ("api/test_fuzz_findings.py", "/api/v1/responses/abc"),
    "api:openapi-json": ("api/test_openapi.py", "/api/v1/openapi.json"),
    "api:openapi-view": ("api/test_openapi.py", "/api/v1/docs"),
    # Single sign-on (public: the identity provider vouches) and SCIM (its bearer token names
    # the organisation; no role is involved).
    "identity:sso_start": ("identity/test_oidc.py", "/identity/sso/"),
    "identity:sso_login": ("identity/test_oidc.py", "/identity/sso/acme/"),
    "identity:oidc_callback": ("identity/test_oidc.py", "/oidc/callback/"),
    "identity:sso_logout": ("identity/test_oidc.py", "/identity/sso/logout/"),
    "identity:saml_acs": ("identity/test_saml.py", "/saml/acs/"),
    "identity:saml_metadata": ("identity/test_saml.py", "/saml/metadata/"),
    "identity:saml_sls": ("identity/test_saml.py", "/saml/sls/"),
    "identity:oidc_backchannel_logout": (
        "identity/test_backchannel_logout.py",
        "/oidc/backchannel-logout/",
    ),
    "scim:config": ("identity/test_scim.py", "ServiceProviderConfig"),
    "scim:resource_types": ("identity/test_scim.py", "ResourceTypes"),
    "scim:resource_type": ("identity/test_scim.py", "ResourceTypes/User"),
    "scim:schemas": ("identity/test_scim.py", "Schemas"),
    "scim:schema": ("identity/test_scim.py", "Schemas/{USER}"),
    "scim:users": ("identity/test_scim.py", '"Users"'),
    "scim:user": ("identity/test_scim.py", "Users/"),
    "scim:groups": ("identity/test_scim.py", '"Groups"'),
    "scim:group": ("identity/test_scim.py", "Groups/"),
    "scim:search": ("identity/test_scim.py", ".search"),
    "scim:search_users": ("identity/test_scim.py", "Users/.search"),
    "scim:search_groups": ("identity/test_scim.py", "Groups/.search"),
    "scim:unknown": ("identity/test_scim.py", "/scim/v2/Nothing"),
    # A review invitation's signed link, counted and sent on (public, like /o/c/).
    "reviews:follow": ("reviews/test_gating.py", "/reviews/go/"),
    # A customer idea board's public pages (its unguessable key) and the email proof.
    "ideas:public_board": ("ideas/test_pages.py", "/ideas/p/"),
    "ideas:public_idea": ("ideas/test_pages.py", "{idea.pk}/"),
    "ideas:public_verify": ("ideas/test_pages.py", "/verify/"),
    "ideas:public_confirm": ("ideas/test_pages.py", "/v/"),
    # Its framed page for the widget on the customer's site (frame-ancestors: its sites).
    "ideas:public_embed": ("ideas/test_embed.py", "/embed/"),
    # An employee's own pulse link (its unguessable token), no sign-in.
    "pulse:answer": ("pulse/test_pages.py", "/pulse/a/"),
    # A CRM's webhooks: the secret address and the provider's signature are its credential.
    "crm:hook": ("crm/matrix/test_matrix.py", "/crm/hooks/"),
    # 360 feedback: one's own invitations and reports (the person's, not a unit's), and a
    # customer rater's signed link.
    "feedback360:mine": ("feedback360/test_pages.py", "/feedback360/me/"),
    "feedback360:my_report": ("feedback360/test_pages.py", "/feedback360/me/{subject.pk}/"),
    "feedback360:answer": ("feedback360/test_pages.py", "/feedback360/a/"),
    "feedback360:public_answer": ("feedback360/test_pages.py", "/feedback360/t/"),
}
# The Django admin is scoped by its own tests (changelists, change pages, actions).
ADMIN_TESTS = "tenancy/test_admin.py"


def served_routes() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, inner)
            else:
                yield namespace + (pattern.name or f"<unnamed {pattern.pattern}>")

    return set(walk(get_resolver().url_patterns))


def test_every_route_is_covered():
    matrices = set(API_MATRIX) | set(SURVEY_API_MATRIX) | set(PAGE_MATRIX) | set(BUILDER_MATRIX)
    matrices |= set(CLOSEDLOOP_MATRIX) | set(CLOSEDLOOP_API_MATRIX) | set(EXPORTS_API_MATRIX)
    matrices |= set(ANALYTICS_MATRIX)
    matrices |= set(OUTREACH_API_MATRIX) | set(DISTRIBUTION_PAGE_MATRIX)
    matrices |= set(PRIVACY_API_MATRIX) | set(PRIVACY_PAGE_MATRIX)
    matrices |= set(TEXT_API_MATRIX) | set(TEXT_PAGE_MATRIX)
    matrices |= set(WEBHOOKS_API_MATRIX) | set(WEBHOOKS_PAGE_MATRIX)
    matrices |= set(REVIEWS_API_MATRIX) | set(REVIEWS_PAGE_MATRIX)
    matrices |= set(IDEAS_API_MATRIX) | set(IDEAS_PAGE_MATRIX)
    matrices |= set(PULSE_API_MATRIX) | set(PULSE_PAGE_MATRIX)
    matrices |= set(HEALTH_MATRIX)
    matrices |= set(F360_API_MATRIX) | set(F360_PAGE_MATRIX)
    matrices |= set(CRM_API_MATRIX) | set(CRM_PAGE_MATRIX)
    matrices |= set(JOURNEYS_API_MATRIX) | set(JOURNEYS_PAGE_MATRIX)
    matrices |= set(IDENTITY_PAGE_MATRIX)
    routes = {r for r in served_routes() if not r.startswith("admin:")}
    uncovered = routes - matrices - set(OUTSIDE_THE_MATRIX)
    assert not uncovered, f"routes in no permission matrix: {sorted(uncovered)}"


def test_listed_routes_exist_and_their_tests_exercise_them():
    routes = served_routes()
    for name, (module, text) in OUTSIDE_THE_MATRIX.items():
        assert name in routes, f"{name} is listed but no longer served"
        assert text in (TESTS / module).read_text(), f"{module} does not exercise {name}"
    assert "admin:index" in routes and (TESTS / ADMIN_TESTS).exists()


def test_matrices_name_only_served_routes():
    stale = (
        set(API_MATRIX)
        | set(SURVEY_API_MATRIX)
        | set(PAGE_MATRIX)
        | set(OUTREACH_API_MATRIX)
        | set(TEXT_API_MATRIX)
        | set(TEXT_PAGE_MATRIX)
        | set(WEBHOOKS_API_MATRIX)
        | set(WEBHOOKS_PAGE_MATRIX)
        | set(REVIEWS_API_MATRIX)
        | set(REVIEWS_PAGE_MATRIX)
        | set(IDEAS_API_MATRIX)
        | set(IDEAS_PAGE_MATRIX)
        | set(HEALTH_MATRIX)
        | set(CRM_API_MATRIX)
        | set(CRM_PAGE_MATRIX)
        | set(JOURNEYS_API_MATRIX)
        | set(JOURNEYS_PAGE_MATRIX)
        | set(IDENTITY_PAGE_MATRIX)
    ) - served_routes()
    assert not stale, f"matrix entries for routes that are gone: {sorted(stale)}"
