from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PulseConfig(AppConfig):
    name = "voxloop.pulse"
    label = "pulse"
    verbose_name = _("Pulse programmes")

    def ready(self) -> None:
        from voxloop.pulse import tasks  # noqa: F401 - register
