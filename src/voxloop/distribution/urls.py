from django.urls import path

from voxloop.distribution import public

app_name = "distribution"
urlpatterns = [
    path("c/<str:ref>", public.click, name="click"),
    path("p/<str:ref>.gif", public.opened, name="opened"),
    path("u/<str:token>", public.unsubscribe, name="unsubscribe"),
    path("webhooks/email", public.tracking_webhook, name="tracking_webhook"),
]
