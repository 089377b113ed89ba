from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "voxloop.identity"
    verbose_name = _("Single sign-on, SCIM and two-factor")

    def ready(self) -> None:
        from voxloop.identity import receivers  # noqa: F401
