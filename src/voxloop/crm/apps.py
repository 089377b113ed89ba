from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "voxloop.crm"
    label = "crm"
    verbose_name = _("CRM and help desk")

    def ready(self) -> None:
        from voxloop.crm import receivers, tasks  # noqa: F401 - connect and register
