from django.urls import path

from voxloop.reviews import source_views, views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("benchmark/", views.benchmark_view, name="benchmark"),
    path("go/<str:token>/", views.follow_invitation, name="follow"),
    path("<int:review_id>/", views.review_detail, name="review"),
    path("<int:review_id>/reply/", views.review_reply, name="reply"),
    path("<int:review_id>/erase-author/", views.erase_author, name="erase_author"),
    path("sources/", source_views.source_list, name="sources"),
    path("sources/<int:source_id>/", source_views.source_detail, name="source"),
    path("sources/<int:source_id>/locations/", source_views.location_add, name="location_add"),
    path("sources/<int:source_id>/import/", source_views.source_import, name="source_import"),
    path("sources/<int:source_id>/fetch/", source_views.source_fetch, name="source_fetch"),
    path("sources/<int:source_id>/delete/", source_views.source_delete, name="source_delete"),
    path(
        "locations/<int:location_id>/remove/",
        source_views.location_remove,
        name="location_remove",
    ),
]
