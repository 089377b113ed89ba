from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "voxloop.analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from voxloop.analytics import receivers, tasks  # noqa: F401
