from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextAnalyticsConfig(AppConfig):
    name = "voxloop.textanalytics"
    label = "textanalytics"
    verbose_name = _("Text analytics")

    def ready(self) -> None:
        from voxloop.analytics import hooks
        from voxloop.textanalytics import figures, receivers, tasks  # noqa: F401 - connect and register

        hooks.register("text_filter", figures.text_filter)
        hooks.register("text_dimension", figures.text_dimension)
        hooks.register("text_themes", figures.theme_choices)
        hooks.register("top_themes", figures.top_themes)
