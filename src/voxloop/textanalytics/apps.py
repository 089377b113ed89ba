from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextAnalyticsConfig(AppConfig):
    name = "voxloop.textanalytics"
    label = "textanalytics"
    verbose_name = _("Text analytics")

    def ready(self) -> None:
        from voxloop.textanalytics import receivers, tasks  # noqa: F401 - connect and register
