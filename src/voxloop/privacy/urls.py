from django.urls import path

from voxloop.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.settings_page, name="settings"),
]
