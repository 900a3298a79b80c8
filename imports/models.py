"""Files the secretariat brings in from the systems it used before: the upload and its progress
(`ImportJob`), and column mappings saved by name for the next file of the same shape."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class ImportKind(models.TextChoices):
    PLEDGES = "pledges", _("Pledges")
    ENTITIES = "entities", _("Entities")
    UPDATES = "updates", _("Progress updates")
    INDICATOR_VALUES = "indicator_values", _("Indicator values")
    RESOURCES = "resources", _("Library resources")


class ImportState(models.TextChoices):
    """Where a job is. Nothing is written before `committing`; `cancelled` only before it."""

    UPLOADED = "uploaded", _("Uploaded")
    CHECKING = "checking", _("Dry run running")
    CHECKED = "checked", _("Dry run done")
    COMMITTING = "committing", _("Importing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# States a job can still be cancelled in: nothing has been written.
CANCELLABLE_STATES = frozenset({ImportState.UPLOADED, ImportState.CHECKING, ImportState.CHECKED})
RUNNING_STATES = frozenset({ImportState.CHECKING, ImportState.COMMITTING})


class SavedMapping(TimeStampedModel):
    """A column mapping (file header → field) the secretariat saved by name, to apply to the
    next file of the same shape."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="saved_mapping_unique_name"),
            models.CheckConstraint(
                condition=models.Q(kind__in=ImportKind.values), name="saved_mapping_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class ImportJob(TimeStampedModel):
    """One uploaded file on its way in: its bytes (kept in the database, never served back),
    the sheet, header row and mapping chosen, the dry run's report and the commit's outcome.
    The Import page and the Celery task both read it, so the page can be left and come back."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    # The upload itself: not a FileField (nothing uploaded is ever stored where it could be
    # served); bounded by IMPORT_MAX_BYTES.
    content = models.BinaryField(_("content"), editable=False)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    columns = models.JSONField(_("column mapping"), default=dict, blank=True)
    create_verified = models.BooleanField(_("mark created entities as verified"), default=False)
    publish = models.BooleanField(_("publish the imported pledges"), default=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows done"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # The dry run's (or commit's) report: rows to create, update (changed fields), unchanged,
    # in error (row, column, value, what is wrong). Capped by IMPORT_REPORT_ROWS.
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ImportState.values), name="import_job_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ImportKind.values), name="import_job_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.filename}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.done_rows / self.total_rows))

    @property
    def is_cancellable(self) -> bool:
        return self.state in CANCELLABLE_STATES

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING_STATES

    @property
    def audit_reason(self) -> str:
        """What the history and the audit trail say about each change this import made."""
        return gettext("Import %(number)s of %(file)s") % {
            "number": self.pk,
            "file": self.filename,
        }
