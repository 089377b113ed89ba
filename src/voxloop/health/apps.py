from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "voxloop.health"
    label = "health"
    verbose_name = _("Customer health")

    def ready(self) -> None:
        from voxloop.analytics import hooks
        from voxloop.health import receivers, selectors, tasks  # noqa: F401 - connect, register

        hooks.register("audience_groups", selectors.audience_groups)
        hooks.register("at_risk_accounts", selectors.home_at_risk)
