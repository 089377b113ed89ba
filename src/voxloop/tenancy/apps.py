from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "voxloop.tenancy"
    verbose_name = _("Organisations and access")

    def ready(self) -> None:
        from voxloop.tenancy import receivers  # noqa: F401
