from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "voxloop.api"
    verbose_name = "API"
