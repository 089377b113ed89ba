from django.urls import path

from voxloop.identity import sso_views, views

app_name = "identity"
urlpatterns = [
    path("settings/", views.sign_in_settings, name="settings"),
    path("settings/mappings/", views.save_mappings, name="save_mappings"),
    path("settings/scim-tokens/", views.create_scim_token, name="create_scim_token"),
    path(
        "settings/scim-tokens/<int:scim_token_id>/revoke/",
        views.revoke_scim_token,
        name="revoke_scim_token",
    ),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("sso/", sso_views.sso_start, name="sso_start"),
    path("sso/logout/", sso_views.sso_logout, name="sso_logout"),
    path("sso/<slug:slug>/", sso_views.sso_login, name="sso_login"),
    path("sso/<slug:slug>/oidc/callback/", sso_views.oidc_callback, name="oidc_callback"),
    path(
        "sso/<slug:slug>/oidc/backchannel-logout/",
        sso_views.oidc_backchannel_logout,
        name="oidc_backchannel_logout",
    ),
    path("sso/<slug:slug>/saml/acs/", sso_views.saml_acs, name="saml_acs"),
    path("sso/<slug:slug>/saml/metadata/", sso_views.saml_metadata, name="saml_metadata"),
    path("sso/<slug:slug>/saml/sls/", sso_views.saml_sls, name="saml_sls"),
]
