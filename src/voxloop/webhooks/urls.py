from django.urls import path

from voxloop.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_new, name="new"),
    path("<int:subscription_id>/", views.subscription_detail, name="detail"),
    path("<int:subscription_id>/rotate/", views.rotate, name="rotate"),
    path("<int:subscription_id>/delete/", views.delete, name="delete"),
    path("deliveries/<int:delivery_id>/replay/", views.replay, name="replay"),
]
