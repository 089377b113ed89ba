from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "voxloop.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from voxloop.privacy import tasks  # noqa: F401 - registers the periodic retention
