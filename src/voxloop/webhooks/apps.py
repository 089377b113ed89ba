from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "voxloop.webhooks"
    label = "webhooks"
    verbose_name = _("Event webhooks")

    def ready(self) -> None:
        from voxloop.webhooks import receivers, tasks  # noqa: F401 - connect and register
