from django.urls import path

from voxloop.analytics import chart_views, export_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("live/", views.live, name="live"),
    path("drivers/", views.drivers_page, name="drivers"),
    path("views/", views.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", views.delete_view, name="delete_view"),
    path("charts/<str:chart>.csv", chart_views.chart_csv, name="chart_csv"),
    path("export/responses.<str:fmt>", export_views.responses_export, name="export_responses"),
    path("export/aggregates.<str:fmt>", export_views.aggregates_export, name="export_aggregates"),
]
