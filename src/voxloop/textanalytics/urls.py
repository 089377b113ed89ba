from django.urls import path

from voxloop.textanalytics import editor_views, views

app_name = "textanalytics"
urlpatterns = [
    path("", views.insights_page, name="insights"),
    path("comments/", views.explorer_page, name="explorer"),
    path("themes/", editor_views.themes_page, name="themes"),
    path("themes/<int:theme_id>/matches/", editor_views.theme_matches, name="theme_matches"),
    path("themes/<int:theme_id>/<slug:action>/", editor_views.theme_action, name="theme_action"),
    path("terms/<int:term_id>/remove/", editor_views.term_remove, name="term_remove"),
    path(
        "taxonomies/<int:taxonomy_id>/<slug:action>/",
        editor_views.taxonomy_action,
        name="taxonomy_action",
    ),
]
