from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatapackagesConfig(AppConfig):
    name = "datapackages"
    verbose_name = _("Bulk data packages")
