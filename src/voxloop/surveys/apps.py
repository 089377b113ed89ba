from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "voxloop.surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from voxloop.surveys import receivers  # noqa: F401
