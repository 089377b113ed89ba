from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClosedLoopConfig(AppConfig):
    name = "voxloop.closedloop"
    label = "closedloop"
    verbose_name = _("Closed loop")

    def ready(self) -> None:
        from voxloop.analytics import hooks
        from voxloop.closedloop import receivers, selectors, sla, tasks  # noqa: F401 - connect and register

        hooks.register("case_metrics", sla.case_metrics)
        hooks.register("plan_starts", selectors.plan_starts)
