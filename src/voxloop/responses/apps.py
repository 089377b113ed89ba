from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    name = "voxloop.responses"
    verbose_name = _("Responses")

    def ready(self) -> None:
        from voxloop.responses import receivers, tasks  # noqa: F401 - connect and register
