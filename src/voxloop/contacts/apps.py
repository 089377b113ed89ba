from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "voxloop.contacts"
    verbose_name = _("Contacts and accounts")

    def ready(self) -> None:
        from voxloop.contacts import receivers  # noqa: F401
