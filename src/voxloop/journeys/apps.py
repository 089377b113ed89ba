from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "voxloop.journeys"
    label = "journeys"
    verbose_name = _("Customer journeys")

    def ready(self) -> None:
        from voxloop.journeys import receivers  # noqa: F401 - connect
