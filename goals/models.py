"""Collective goals that a forum (later, a multistakeholder pledge) sets for everyone's
pledges, the official figures a forum states, and which pledge targets count towards which goal.

A goal is owned by exactly one owner: a forum or a multistakeholder pledge (MSP), checked by
`goal_has_one_owner`. Everything else (contributions, progress, snapshots) is keyed on the
goal. Only the pledges an MSP accepted as members count towards its goals (goals.services and
the engine's `indicators.goal_progress`).

Progress is computed by the progress engine (`indicators.engine.recompute_goals`) into
`GoalProgressSnapshot`; this app only marks goals stale (`progress_stale_since`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compacts.models import OfficialTextMixin
from forums.models import Forum
from partnerships.models import MultistakeholderPledge
from pledges.models import PledgeTarget, TargetUnit

# Figures the bare Forum columns used to hold: the forum API still answers its old keys from
# the figures tagged with them (see forums/api/serializers.py).
LEGACY_FIGURE_FIELDS = ("participants", "online_participants", "countries_represented")
# The English labels that stand for those columns in forum_goals.json (and in goals 0002), so
# that a freshly loaded forum answers them too.
LEGACY_FIGURE_LABELS = {
    "Participants in person": "participants",
    "Participants online": "online_participants",
    "Government delegations": "countries_represented",
    "Countries represented": "countries_represented",
}


class Goal(OfficialTextMixin):
    """A collective target, e.g. "resettle 1 million refugees by 2030" (GRF 2023)."""

    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, blank=True, related_name="goals"
    )
    msp = models.ForeignKey(
        MultistakeholderPledge,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("multistakeholder pledge"),
    )
    text = models.CharField(_("goal"), max_length=500)
    unit = models.CharField(_("unit"), max_length=10, choices=TargetUnit.choices)
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Where the goal was stated (document or URL); required for reference goals."),
    )
    is_reference = models.BooleanField(
        _("reference goal"),
        default=False,
        help_text=_("Shipped with the reference data (bootstrap/data/forum_goals.json)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Durable "needs recomputing" mark, like Objective.progress_stale_since.
    progress_stale_since = models.DateTimeField(_("progress stale since"), null=True, blank=True)

    class Meta:
        ordering = ["forum_id", "position", "id"]
        verbose_name = _("collective goal")
        verbose_name_plural = _("collective goals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(forum__isnull=False, msp__isnull=True)
                | models.Q(forum__isnull=True, msp__isnull=False),
                name="goal_has_one_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(is_reference=False) | ~models.Q(source=""),
                name="goal_reference_has_source",
            ),
            models.CheckConstraint(
                condition=models.Q(target_value__gt=0), name="goal_target_positive"
            ),
            # Percentages of different pledges cannot be added up (docs/progress.md).
            models.CheckConstraint(
                condition=models.Q(unit__in=[u for u in TargetUnit.values if u != "percent"]),
                name="goal_unit_addable",
            ),
            models.CheckConstraint(
                condition=models.Q(target_year__isnull=True)
                | models.Q(target_year__gte=2000, target_year__lte=2100),
                name="goal_target_year_plausible",
            ),
            models.UniqueConstraint(fields=["forum", "position"], name="goal_position_unique"),
            # An MSP's goals are ordered too (an MSP goal has no forum: the forum's constraint
            # above treats NULLs as distinct and so never compared them).
            models.UniqueConstraint(fields=["msp", "position"], name="goal_msp_position_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class FigureQualifier(models.TextChoices):
    EXACTLY = "", _("exactly")
    MORE_THAN = "more than", _("more than")
    ABOUT = "about", _("about")
    AT_LEAST = "at least", _("at least")


class OfficialFigure(OfficialTextMixin):
    """A figure a forum's organisers stated (participants, money committed, pledges made), with
    its source: what the forum said, never computed by the tracker."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="official_figures")
    label = models.CharField(_("label"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=TargetUnit.choices)
    qualifier = models.CharField(
        _("qualifier"), max_length=20, choices=FigureQualifier.choices, blank=True, default=""
    )
    source = models.CharField(_("source"), max_length=500)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    legacy_field = models.CharField(
        _("former forum field"),
        max_length=30,
        blank=True,
        help_text=_("The forum column this figure replaced, still answered by the forum API."),
    )

    class Meta:
        ordering = ["forum_id", "position", "id"]
        verbose_name = _("official figure")
        verbose_name_plural = _("official figures")
        constraints = [
            models.CheckConstraint(condition=~models.Q(source=""), name="figure_has_source"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="figure_non_negative"),
            models.CheckConstraint(
                condition=models.Q(qualifier__in=FigureQualifier.values),
                name="figure_qualifier_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class GoalContribution(models.Model):
    """One pledge target counted towards one goal of the same unit."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="contributions")
    target = models.ForeignKey(
        PledgeTarget, on_delete=models.CASCADE, related_name="goal_contributions"
    )
    created_at = models.DateTimeField(_("counted since"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["goal_id", "target_id"]
        verbose_name = _("goal contribution")
        verbose_name_plural = _("goal contributions")
        constraints = [
            models.UniqueConstraint(fields=["goal", "target"], name="contribution_unique"),
        ]
        indexes = [models.Index(fields=["target"], name="contribution_target_idx")]

    def __str__(self) -> str:
        return f"{self.target_id} → {self.goal_id}"


class GoalProgressSnapshot(models.Model):
    """Computed progress of one goal on one day (written by the progress engine)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField(_("date"))
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["goal_id", "-date"]
        verbose_name = _("goal progress snapshot")
        verbose_name_plural = _("goal progress snapshots")
        constraints = [
            models.UniqueConstraint(fields=["goal", "date"], name="goal_snapshot_unique_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.date}"
