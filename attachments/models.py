"""Files attached to pledges and progress updates as evidence: a signed agreement, a law as
gazetted, a monitoring report, a photo.

An attachment is exactly as visible as what it is attached to (`AttachmentQuerySet.visible_to`).
The file itself lives in the `attachments` storage under a random name; it is only ever read
back through the download view, as a download. Written only by `attachments.services`.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from pledges.models import Pledge, PledgeUpdate

from .detection import ACCEPTED
from .storage import attachment_storage


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    """Reads of attachments; `visible_to` is the one place that says who sees which file."""

    def visible_to(self, user: Any) -> "AttachmentQuerySet":
        """A pledge's own attachments to whoever may see the pledge
        (`Pledge.objects.visible_to`: drafts to its entity and the secretariat); an update's to
        whoever may see the update (`PledgeUpdate.objects.visible_to`: pending and returned
        ones to the reporting and the pledge's entities and the secretariat)."""
        # Correlated EXISTS, not `IN (SELECT …)`: under the OR PostgreSQL cannot turn an IN into
        # a join, so it hashed every visible pledge and update for each page that shows a few
        # files; EXISTS probes the one pledge or update by its key.
        on_pledge = models.Q(
            models.Exists(Pledge.objects.visible_to(user).filter(pk=models.OuterRef("pledge_id"))),
            update__isnull=True,
        )
        on_update = models.Exists(
            PledgeUpdate.objects.visible_to(user).filter(pk=models.OuterRef("update_id"))
        )
        return self.filter(on_pledge | on_update)

    def of_pledge(self, pledge: Pledge) -> "AttachmentQuerySet":
        """The pledge's own attachments (not its updates')."""
        return self.filter(pledge=pledge, update__isnull=True)


class Attachment(TimeStampedModel):
    """A file attached to a pledge, or to one of its progress updates (then `pledge` is the
    update's pledge: the pledge API lists a page's attachments through one index)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed with `update` (attachment_pledge_idx), which serves lookups by pledge too.
    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="attachments", db_index=False
    )
    update = models.ForeignKey(
        PledgeUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    # The random storage name (storage.random_name), never the name the file came with.
    file = models.FileField(_("file"), storage=attachment_storage, max_length=100)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments_uploaded",
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="attachment_sha256_hex",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="attachment_has_name"),
        ]
        indexes = [
            models.Index(fields=["pledge", "update"], name="attachment_pledge_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def type_label(self) -> str:
        """The kind of file, in words ("PDF document")."""
        kind = ACCEPTED.get(self.content_type)
        return str(kind.label) if kind else self.content_type
