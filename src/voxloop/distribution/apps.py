from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "voxloop.distribution"
    verbose_name = _("Distribution and outreach")

    def ready(self) -> None:
        from voxloop.distribution import receivers, tasks  # noqa: F401
