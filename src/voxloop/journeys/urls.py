from django.urls import path

from voxloop.journeys import editor_views, views

app_name = "journeys"

urlpatterns = [
    path("", views.journey_list, name="list"),
    path("new/", editor_views.journey_create, name="create"),
    path("<int:journey_id>/", views.journey_map, name="map"),
    path("<int:journey_id>/analytics/", views.journey_insights, name="insights"),
    path("<int:journey_id>/export.<str:fmt>", views.journey_export, name="export"),
    path("<int:journey_id>/edit/", editor_views.journey_edit, name="edit"),
    path("<int:journey_id>/delete/", editor_views.journey_delete, name="delete"),
    path("<int:journey_id>/stages/", editor_views.stage_add, name="stage_add"),
    path("<int:journey_id>/order/", editor_views.journey_reorder, name="reorder"),
    path("stages/<int:stage_id>/", editor_views.stage_action, name="stage_action"),
    path("touchpoints/<int:touchpoint_id>/", editor_views.touchpoint_action, name="touchpoint"),
]
