"""Private conversations between an entity and the secretariat about one pledge or one progress
update. Never public: no public page, API endpoint, export or feed reads this table; the thread
pages check that the reader is a member of the entity or the secretariat."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pledges.models import Pledge, PledgeUpdate

COMMENT_MAX_LENGTH = 5000


class Comment(models.Model):
    """A message in the thread of a pledge (no update) or of one of its progress updates."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="comments", verbose_name=_("pledge")
    )
    update = models.ForeignKey(
        PledgeUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("progress update"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("author"),
    )
    # Which side wrote it, as it was then (a member may later join the secretariat).
    from_secretariat = models.BooleanField(_("from the secretariat"), default=False)
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["pledge", "update", "created_at"], name="comment_thread"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="comment_body_not_empty"),
        ]

    def __str__(self) -> str:
        return self.body[:60]
