from django.urls import path

from voxloop.analytics import export_views, saved_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("live/", views.live, name="live"),
    path("drivers/", views.drivers_page, name="drivers"),
    path("views/", saved_views.views_page, name="views"),
    path("views/", saved_views.views_page, name="save_view"),  # the dashboard's form posts here
    path("views/<int:view_id>/", saved_views.view_action, name="view_action"),
    path("views/<int:view_id>/delete/", saved_views.delete_view, name="delete_view"),
    path("export/responses.<str:fmt>", export_views.responses_export, name="export_responses"),
    path("export/aggregates.<str:fmt>", export_views.aggregates_export, name="export_aggregates"),
]
