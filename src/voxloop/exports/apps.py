from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "voxloop.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from voxloop.exports import tasks  # noqa: F401 - register the periodic clean-up
