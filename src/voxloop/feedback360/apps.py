from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Feedback360Config(AppConfig):
    name = "voxloop.feedback360"
    label = "feedback360"
    verbose_name = _("360 feedback")

    def ready(self) -> None:
        from voxloop.feedback360 import receivers, tasks  # noqa: F401 - connect and register
