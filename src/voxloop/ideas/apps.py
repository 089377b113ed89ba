from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "voxloop.ideas"
    label = "ideas"
    verbose_name = _("Idea boards")

    def ready(self) -> None:
        from voxloop.ideas import receivers, tasks  # noqa: F401 - connect and register
