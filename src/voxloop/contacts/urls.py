from django.urls import path

from voxloop.contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("import/", views.contact_import, name="import"),
    path("<int:contact_id>/", views.contact_detail, name="detail"),
    path("<int:contact_id>/export/", views.contact_export, name="export"),
    path("<int:contact_id>/erase/", views.contact_erase, name="erase"),
    path("segments/", views.segment_list, name="segments"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/count/", views.segment_count, name="segment_count"),
    path("interaction-types/", views.interaction_type_list, name="interaction_types"),
    path("interaction-types/new/", views.interaction_type_create, name="interaction_type_create"),
    path(
        "interaction-types/<int:type_id>/<slug:action>/",
        views.interaction_type_action,
        name="interaction_type_action",
    ),
]
