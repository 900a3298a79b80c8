"""Forums where pledges are announced and progress is reviewed (GRF, HLOM, IMRF…).

Forums are data, not code: the secretariat adds the next ones in the admin.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact


class ForumKind(models.TextChoices):
    GRF = "grf", _("Global Refugee Forum")
    HLOM = "hlom", _("High-Level Officials Meeting")
    PROGRESS_REVIEW = "progress_review", _("Progress review")
    IMRF = "imrf", _("International Migration Review Forum")
    REGIONAL_REVIEW = "regional_review", _("Regional review")
    HLS = "hls", _("High-Level Segment")
    OTHER = "other", _("Other")


class Forum(models.Model):
    """A meeting under a compact at which stakeholders announce pledges or review progress."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="forums")
    kind = models.CharField(_("kind"), max_length=20, choices=ForumKind.choices)
    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        help_text=_("Short code that prefixes pledge references, e.g. GRF23."),
    )
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    pledging_opens = models.DateField(_("pledging opens"), null=True, blank=True)
    pledging_closes = models.DateField(_("pledging closes"), null=True, blank=True)
    # Participants and other stated figures are goals.OfficialFigure rows, with their source.
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("official page"), blank=True)

    class Meta:
        ordering = ["compact__code", "year", "start_date", "code"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z0-9]{2,10}$"), name="forum_code_format"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="forum_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(pledging_closes__isnull=True)
                | models.Q(pledging_opens__isnull=True)
                | models.Q(pledging_closes__gte=models.F("pledging_opens")),
                name="forum_pledging_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2016, year__lte=2100), name="forum_year_plausible"
            ),
        ]

    def __str__(self) -> str:
        return self.name
