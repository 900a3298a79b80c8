"""Bulk data packages: the whole public dataset written nightly as a Frictionless Data Package."""

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataPackage(models.Model):
    """One nightly (or on demand) copy of every public table, as gzipped CSV and JSON Lines
    files with a `datapackage.json`, kept in the default storage under `folder`. `files` lists
    each file: `{"name", "resource", "format", "bytes", "sha256", "rows"}`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    folder = models.CharField(_("storage folder"), max_length=200, unique=True)
    files = models.JSONField(_("files"), default=list)
    rows = models.JSONField(_("rows per resource"), default=dict)
    total_bytes = models.BigIntegerField(_("size in bytes"), default=0)
    seconds = models.FloatField(_("build time in seconds"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data package")
        verbose_name_plural = _("data packages")

    def __str__(self) -> str:
        return f"data package {self.created_at:%Y-%m-%d %H:%M}"

    def file(self, name: str) -> dict[str, Any] | None:
        return next((f for f in self.files if f["name"] == name), None)
