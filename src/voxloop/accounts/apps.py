from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "voxloop.accounts"
    verbose_name = _("Accounts and API tokens")

    def ready(self) -> None:
        from voxloop.accounts import signals  # noqa: F401
