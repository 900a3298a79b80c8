"""Reminders of progress reports: one row per reminder sent, which is also the claim that makes
the daily job idempotent (a second run, or a concurrent one, hits the unique constraint)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pledges.models import Pledge


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Report due soon")
    OVERDUE = "overdue", _("Report overdue")
    STILL_OVERDUE = "still_overdue", _("Report still overdue")
    MANUAL = "manual", _("Sent by the secretariat")


class Reminder(models.Model):
    """A reminder e-mailed to a pledge's contact that its next progress report is due.

    `cycle_on` names the cycle: the day the report falls due (before due, overdue), the monthly
    step after it (still overdue), or the day the secretariat sent it (manual)."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("pledge")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    cycle_on = models.DateField(_("cycle"))
    due_on = models.DateField(_("report due on"))
    sent_to = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "kind", "cycle_on"], name="reminder_one_per_kind_and_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge_id} {self.kind} {self.cycle_on}"


class Digest(models.Model):
    """The secretariat's weekly digest of overdue pledges, one row per week it went out: the
    claim that makes the weekly job idempotent, like `Reminder` (a second run, or a concurrent
    one, hits the unique week)."""

    week_of = models.DateField(_("week of"), unique=True)  # that week's Monday
    overdue = models.PositiveIntegerField(_("overdue pledges"))
    recipients = models.PositiveIntegerField(_("recipients"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-week_of"]
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")

    def __str__(self) -> str:
        return f"digest {self.week_of}"
