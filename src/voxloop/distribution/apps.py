from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "voxloop.distribution"
    verbose_name = _("Distribution and outreach")

    def ready(self) -> None:
        from voxloop.analytics import hooks
        from voxloop.distribution import receivers, selectors, tasks  # noqa: F401

        hooks.register("delivered_invitations", selectors.response_rate_counts)
