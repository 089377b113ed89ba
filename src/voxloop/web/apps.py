from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "voxloop.web"
    verbose_name = "Web"
