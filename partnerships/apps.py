from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Multistakeholder pledges")

    def ready(self) -> None:
        from .feed import connect

        connect()
