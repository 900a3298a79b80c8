"""The change feed's rows: one per change to what the public API shows (created, updated,
removed), written by the services that make the change, in the same transaction."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Resource(models.TextChoices):
    """The API resources the feed follows; the value is the key partners see."""

    PLEDGE = "pledge", _("Pledge")
    PLEDGE_UPDATE = "pledge_update", _("Progress update")
    ENTITY = "entity", _("Entity")
    MSP = "multistakeholder_pledge", _("Multistakeholder pledge")
    MATCH = "match", _("Match")
    INDICATOR_VALUE = "indicator_value", _("Indicator value")
    PROGRESS = "progress_snapshot", _("Progress snapshot")
    # The resource library (built in parallel) adds `RESOURCE = "resource", _("Resource")` here
    # and calls `changefeed.services.record(Resource.RESOURCE, …)` from its services.


class Action(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    REMOVED = "removed", _("Removed")


class RemovalReason(models.TextChoices):
    """Why a row left the public API."""

    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Rejected after publication")
    UNPUBLISHED = "unpublished", _("Unpublished")
    DELETED = "deleted", _("Deleted")
    ENTITY_UNVERIFIED = "entity_unverified", _("Entity no longer verified")
    PLEDGE_REMOVED = "pledge_removed", _("Its pledge was removed")


class Change(models.Model):
    """One change to public data, as a partner's sync sees it. `xid` is the writer's
    transaction id (`pg_current_xact_id()`): the feed serves a row only once every transaction
    with a smaller id has ended, and in (xid, id) order, so a cursor never skips a row that
    commits late (sequence ids alone are handed out in insert order, not commit order)."""

    xid = models.BigIntegerField(_("transaction id"))
    resource = models.CharField(_("resource"), max_length=30, choices=Resource.choices)
    key = models.CharField(_("id or reference"), max_length=100)
    action = models.CharField(_("change"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=20, blank=True, choices=RemovalReason.choices)
    successor = models.CharField(_("successor"), max_length=100, blank=True)

    class Meta:
        ordering = ["xid", "id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["xid", "id"], name="change_feed_order"),
            models.Index(fields=["resource", "key", "-id"], name="change_latest_per_key"),
            models.Index(fields=["resource", "action", "at"], name="change_removals"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="change_action_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(action=Action.REMOVED) | models.Q(reason=""),
                name="change_reason_only_on_removal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.key} {self.action}"
