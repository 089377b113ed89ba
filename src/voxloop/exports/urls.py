from django.urls import path

from voxloop.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("new/", views.export_create, name="create"),
    path("<int:export_id>/download/", views.export_download, name="download"),
]
