"""What pledges seek and offer, and the matches between a seeking and an offering pledge.

A match is two-sided: it is accepted only once BOTH pledges' entities have accepted it, and
each side's decision (who, when, message) is kept on the row as well as in its history. Only
the matching services (`matching.services`) change these rows. This app depends on `pledges`;
`pledges` never imports it (its filters and templates reach it by relation names).
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.functions import RandomUUID
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compacts.models import ThematicArea
from core.models import Country, Currency, TimeStampedModel
from pledges.models import Entity, Membership, MembershipStatus, Pledge, ReviewState, SupportType

# The full-text configuration of the positions' text: 'simple' (no stemming, no stop words)
# because a need and an offer are often written in different languages; `suggestions` keeps
# only words of four letters or more of the need, which leaves out most stop words.
TEXT_CONFIG = "simple"
DESCRIPTION_MAX_LENGTH = 2000


class Side(models.TextChoices):
    SEEKS = "seeks", _("Seeks")
    OFFERS = "offers", _("Offers")


class SupportPositionQuerySet(models.QuerySet["SupportPosition"]):
    def visible_to(self, user: Any) -> "SupportPositionQuerySet":
        """Exactly as visible as its pledge."""
        return self.filter(pledge__in=Pledge.objects.visible_to(user).values("pk"))


class SupportPosition(TimeStampedModel):
    """One thing a pledge seeks (a need) or offers: a type of support, optionally an amount,
    countries, a thematic area and free text. Edited by whoever may edit the pledge."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="support_positions")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    support_type = models.ForeignKey(
        SupportType,
        on_delete=models.PROTECT,
        related_name="support_positions",
        verbose_name=_("type of support"),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = models.ForeignKey(
        Currency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_positions",
        verbose_name=_("currency"),
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="support_positions", verbose_name=_("countries")
    )
    thematic_area = models.ForeignKey(
        ThematicArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_positions",
        verbose_name=_("thematic area"),
    )
    description = models.TextField(_("description"), blank=True)
    # The text as the suggestions search it (GIN-indexed), computed by PostgreSQL.
    search_vector = models.GeneratedField(
        expression=SearchVector("description", config=TEXT_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SupportPositionQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[countries], excluded_fields=["updated_at", "search_vector"]
    )

    class Meta:
        ordering = ["pledge_id", "side", "id"]
        verbose_name = _("support sought or offered")
        verbose_name_plural = _("support sought or offered")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(side__in=Side.values), name="support_position_side_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="support_position_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True, currency__isnull=True)
                | models.Q(amount__isnull=False, currency__isnull=False),
                name="support_position_amount_has_currency",
            ),
        ]
        indexes = [
            models.Index(fields=["side", "support_type"], name="support_position_side_type_idx"),
            GinIndex(fields=["search_vector"], name="support_position_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pledge_id} {self.side} {self.support_type_id}"


class MatchState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    PENDING = "", _("Not answered yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


# A proposed or accepted match is open: there is at most one open match per pair.
OPEN_STATES = (MatchState.PROPOSED, MatchState.ACCEPTED)
PUBLISHED = ReviewState.PUBLISHED


def public_match_q(prefix: str = "") -> models.Q:
    """Accepted, between two published pledges: what anybody may see."""
    return models.Q(
        **{
            f"{prefix}state": MatchState.ACCEPTED,
            f"{prefix}seeking__review_state": PUBLISHED,
            f"{prefix}offering__review_state": PUBLISHED,
        }
    )


class MatchQuerySet(models.QuerySet["Match"]):
    """Reads of matches; `visible_to` is the one place that says who sees which."""

    def public(self) -> "MatchQuerySet":
        return self.filter(public_match_q())

    def visible_to(self, user: Any) -> "MatchQuerySet":
        """Accepted matches of two published pledges for everybody; every match of one's own
        entities' pledges (either side); everything for the secretariat."""
        if user is None or not user.is_authenticated:
            return self.public()
        if user.has_perm("pledges.review_pledge"):
            return self.all()
        own = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
            "entity_id"
        )
        return self.filter(
            public_match_q()
            | models.Q(seeking__entity_id__in=own)
            | models.Q(offering__entity_id__in=own)
        )

    def open(self) -> "MatchQuerySet":
        return self.filter(state__in=OPEN_STATES)


class Match(TimeStampedModel):
    """A seeking pledge matched with an offering pledge. Proposed by either side's entity or by
    the secretariat; ACCEPTED only once both sides' entities accepted; either side may decline;
    the proposer may withdraw while it is proposed."""

    public_id = models.UUIDField(
        default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False
    )
    seeking = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="matches_seeking",
        verbose_name=_("seeking pledge"),
    )
    offering = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="matches_offering",
        verbose_name=_("offering pledge"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=MatchState.choices, default=MatchState.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matches_proposed",
    )
    # The entity the proposer acted for; empty when the secretariat proposed.
    proposed_for = models.ForeignKey(
        Entity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matches_proposed",
        verbose_name=_("proposed by entity"),
    )
    message = models.TextField(_("message"), blank=True)
    # Each side's answer: who, when, and what they wrote.
    seeking_decision = models.CharField(
        _("seeking side's decision"), max_length=10, choices=Decision.choices, blank=True
    )
    seeking_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    seeking_decided_at = models.DateTimeField(null=True, blank=True)
    seeking_message = models.TextField(blank=True)
    offering_decision = models.CharField(
        _("offering side's decision"), max_length=10, choices=Decision.choices, blank=True
    )
    offering_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    offering_decided_at = models.DateTimeField(null=True, blank=True)
    offering_message = models.TextField(blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # How the row came to be when not through the services (e.g. "migration").
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = MatchQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(seeking=models.F("offering")), name="match_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=MatchState.values), name="match_state_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=MatchState.ACCEPTED)
                | models.Q(seeking_decision=Decision.ACCEPTED, offering_decision=Decision.ACCEPTED),
                name="match_accepted_by_both",
            ),
            # Each side's answer is one of the decisions, and an answer has its time.
            *(
                constraint
                for side in ("seeking", "offering")
                for constraint in (
                    models.CheckConstraint(
                        condition=models.Q(**{f"{side}_decision__in": Decision.values}),
                        name=f"match_{side}_decision_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(**{f"{side}_decision": Decision.PENDING})
                        | models.Q(**{f"{side}_decided_at__isnull": False}),
                        name=f"match_{side}_decided_has_time",
                    ),
                )
            ),
            # Closed exactly when no longer proposed (accepted, declined or withdrawn).
            models.CheckConstraint(
                condition=models.Q(state=MatchState.PROPOSED, closed_at__isnull=True)
                | (~models.Q(state=MatchState.PROPOSED) & models.Q(closed_at__isnull=False)),
                name="match_closed_when_not_proposed",
            ),
            models.UniqueConstraint(
                fields=["seeking", "offering"],
                condition=models.Q(state__in=OPEN_STATES),
                name="match_one_open_per_pair",
                violation_error_message=_("These pledges already have an open match."),
            ),
        ]
        indexes = [
            models.Index(fields=["offering", "state"], name="match_offering_state_idx"),
            models.Index(fields=["seeking", "state"], name="match_seeking_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.seeking_id} ← {self.offering_id} ({self.state})"

    @property
    def is_public(self) -> bool:
        return (
            self.state == MatchState.ACCEPTED
            and self.seeking.review_state == PUBLISHED
            and self.offering.review_state == PUBLISHED
        )
