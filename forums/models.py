"""Forums where pledges are announced and progress is reviewed (GRF, HLOM, IMRF…).

Forums are data, not code: the secretariat adds the next ones in the admin.
"""

import datetime as dt

from django.db import models
from django.utils import timezone
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

    @property
    def lists_regional_reviews(self) -> bool:
        """A round of GCM regional reviews lists its reviews, an IMRF those before it."""
        return self.kind in (ForumKind.REGIONAL_REVIEW, ForumKind.IMRF)


class RegionalCommission(models.TextChoices):
    """The five UN regional economic commissions, each of which hosts one GCM regional review
    per round (A/RES/73/195 ¶50)."""

    ECA = "ECA", _("Economic Commission for Africa (ECA)")
    ECE = "ECE", _("Economic Commission for Europe (ECE)")
    ECLAC = "ECLAC", _("Economic Commission for Latin America and the Caribbean (ECLAC)")
    ESCAP = "ESCAP", _("Economic and Social Commission for Asia and the Pacific (ESCAP)")
    ESCWA = "ESCWA", _("Economic and Social Commission for Western Asia (ESCWA)")


class RegionalReview(models.Model):
    """One GCM regional review: the meeting a UN regional commission holds in one round of
    reviews (2020–21, 2024–25). The round is a forum of kind `regional_review` and stays the
    parent: pledges and rounds point at it, its page lists the reviews per region."""

    round = models.ForeignKey(
        Forum,
        on_delete=models.PROTECT,
        related_name="regional_reviews",
        verbose_name=_("round of reviews"),
        limit_choices_to={"kind": ForumKind.REGIONAL_REVIEW},
    )
    commission = models.CharField(
        _("UN regional commission"), max_length=5, choices=RegionalCommission.choices
    )
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    source_url = models.URLField(
        _("source"), max_length=500, help_text=_("Where the dates and place are published.")
    )

    class Meta:
        ordering = ["round__year", "commission"]
        verbose_name = _("regional review")
        verbose_name_plural = _("regional reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "commission"], name="regional_review_one_per_commission"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="regional_review_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoundStatus(models.TextChoices):
    """Derived from the dates and the early close, never stored (`ReportingRound.status_on`)."""

    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReportingRoundQuerySet(models.QuerySet["ReportingRound"]):
    """Reads of reporting rounds; `open_on` is the one place that says which round is open."""

    def open_on(self, day: dt.date) -> "ReportingRoundQuerySet":
        """Rounds open on `day`: within their dates and not closed early (an early close
        takes effect on the day it is made)."""
        return self.filter(opens_on__lte=day, closes_on__gte=day).filter(
            models.Q(closed_early_on__isnull=True) | models.Q(closed_early_on__gt=day)
        )


class ReportingRound(models.Model):
    """A period in which every active pledge of a compact is expected to report progress, tied
    to a forum or to a review moment between forums (no forum). The secretariat creates,
    edits and may close it early (`forums.services`); its status follows from the dates."""

    compact = models.ForeignKey(
        Compact,
        on_delete=models.PROTECT,
        related_name="reporting_rounds",
        verbose_name=_("compact"),
    )
    forum = models.ForeignKey(
        Forum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reporting_rounds",
        verbose_name=_("forum"),
        help_text=_("Leave empty for a review moment between forums."),
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    # Set when the secretariat closes the round before `closes_on`: closed from that day on.
    closed_early_on = models.DateField(_("closed early on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReportingRoundQuerySet.as_manager()

    class Meta:
        ordering = ["compact__code", "-opens_on", "id"]
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_early_on__isnull=True)
                | models.Q(closed_early_on__gte=models.F("opens_on")),
                name="round_closed_early_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def last_open_day(self) -> dt.date:
        """The last day updates can be submitted for this round."""
        if self.closed_early_on is not None:
            return min(self.closes_on, self.closed_early_on - dt.timedelta(days=1))
        return self.closes_on

    def status_on(self, day: dt.date) -> str:
        if day < self.opens_on:
            return RoundStatus.SCHEDULED
        if day > self.last_open_day():
            return RoundStatus.CLOSED
        return RoundStatus.OPEN

    def is_open_on(self, day: dt.date) -> bool:
        return self.status_on(day) == RoundStatus.OPEN

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(RoundStatus(self.status).label)
