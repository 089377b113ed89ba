from django.urls import path

from voxloop.crm import views

app_name = "crm"

urlpatterns = [
    path("", views.connector_list, name="connectors"),
    path("<int:connector_id>/", views.connector_detail, name="connector"),
    path("<int:connector_id>/fields/", views.mapping, name="mapping"),
    path("<int:connector_id>/sync/", views.sync_now, name="sync"),
    path("<int:connector_id>/authorise/", views.oauth_start, name="authorise"),
    path("<int:connector_id>/disconnect/", views.disconnect, name="disconnect"),
    path("oauth/callback/", views.oauth_callback, name="oauth_callback"),
    path("hooks/<str:key>/", views.hook, name="hook"),
]
