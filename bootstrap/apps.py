from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BootstrapConfig(AppConfig):
    name = "bootstrap"
    verbose_name = _("Reference and demo data")
