"""Multistakeholder pledges (MSPs): joint commitments launched at a forum (GRF 2023 had 47), led
by a few entities, with key outcomes, that individual pledges join.

An individual pledge joins an MSP by a membership: its entity asks and a lead entity's member
accepts or declines, or the secretariat links it directly. Only accepted memberships of
published pledges count anywhere in public (`MembershipQuerySet.public`); only accepted leads of
verified entities are named (`LeadQuerySet.public`). Writes go through `partnerships.services`.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compacts.models import Compact, Objective, OfficialTextMixin, ThematicArea
from core.models import TimeStampedModel
from forums.models import Forum
from pledges.models import (
    Entity,
    Membership,
    MembershipStatus,
    Pledge,
    ReviewState,
    TargetUnit,
)


class MspStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class MultistakeholderPledge(OfficialTextMixin, TimeStampedModel):
    """A multistakeholder pledge. Its title is reference text in six languages (the loader
    marks project translations unofficial, like thematic areas); its figures are computed by
    the progress engine over the published pledges that joined it."""

    slug = models.SlugField(_("code"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    compact = models.ForeignKey(
        Compact, on_delete=models.PROTECT, related_name="msps", verbose_name=_("compact")
    )
    forum = models.ForeignKey(
        Forum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="msps",
        verbose_name=_("launched at"),
    )
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="msps", verbose_name=_("objectives")
    )
    thematic_area = models.ForeignKey(
        ThematicArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="msps",
        verbose_name=_("thematic area"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MspStatus.choices, default=MspStatus.ACTIVE
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    # What the source is, beside its address (reference data: "Multistakeholder Pledges for the
    # Global Refugee Forum 2023").
    source_note = models.CharField(_("about the source"), max_length=300, blank=True)
    is_reference = models.BooleanField(
        _("reference record"),
        default=False,
        help_text=_("Shipped with the reference data (an official multistakeholder pledge)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="msps_created",
    )
    # The durable "figures need recomputing" mark, as on objectives (compacts.progress_marks).
    progress_stale_since = models.DateTimeField(
        _("progress stale since"), null=True, blank=True, db_index=True, editable=False
    )

    history = HistoricalRecords(
        m2m_fields=[objectives],
        # modeltranslation adds the per-language title columns after this history model is
        # built: the history keeps `title` (the active language's text) and leaves them out.
        excluded_fields=[
            "updated_at",
            "progress_stale_since",
            *(f"title_{code.replace('-', '_')}" for code, _name in settings.LANGUAGES),
        ],
    )

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("multistakeholder pledge")
        verbose_name_plural = _("multistakeholder pledges")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MspStatus.values), name="msp_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LeadStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


_PUBLIC_LEAD = models.Q(status=LeadStatus.ACCEPTED, entity__is_verified=True)


class LeadQuerySet(models.QuerySet["MultistakeholderLead"]):
    def public(self) -> "LeadQuerySet":
        """Leads named in public: they accepted, and the secretariat verified their entity."""
        return self.filter(_PUBLIC_LEAD)

    def acting_for(self, user: Any) -> "LeadQuerySet":
        """Accepted leads of verified entities the user is an active member of."""
        if user is None or not user.is_authenticated:
            return self.none()
        own = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
            "entity_id"
        )
        return self.filter(_PUBLIC_LEAD, entity_id__in=own)


class MultistakeholderLead(TimeStampedModel):
    """An entity leading an MSP. Invited by the secretariat; named only once it accepted."""

    msp = models.ForeignKey(MultistakeholderPledge, on_delete=models.CASCADE, related_name="leads")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="msp_leads")
    status = models.CharField(
        _("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.INVITED
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LeadQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["msp_id", "entity__name"]
        verbose_name = _("lead entity")
        verbose_name_plural = _("lead entities")
        constraints = [
            models.UniqueConstraint(fields=["msp", "entity"], name="msp_lead_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=LeadStatus.values), name="msp_lead_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} leads {self.msp}"


class KeyOutcome(models.Model):
    """One of the outcomes an MSP commits to, e.g. 1,000,000 resettlement places by 2030."""

    msp = models.ForeignKey(
        MultistakeholderPledge, on_delete=models.CASCADE, related_name="key_outcomes"
    )
    text = models.CharField(_("outcome"), max_length=500)
    unit = models.CharField(_("unit"), max_length=10, choices=TargetUnit.choices, blank=True)
    target_value = models.DecimalField(
        _("target"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["msp_id", "position", "id"]
        verbose_name = _("key outcome")
        verbose_name_plural = _("key outcomes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_value__isnull=True) | models.Q(target_value__gte=0),
                name="key_outcome_target_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(unit__in=[*TargetUnit.values, ""]),
                name="key_outcome_unit_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class MembershipState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REMOVED = "removed", _("Removed")


class MembershipOrigin(models.TextChoices):
    REQUEST = "request", _("Asked by the pledge's entity")
    SECRETARIAT = "secretariat", _("Linked by the secretariat")
    MIGRATION = "migration", _("Moved from a thematic area or link")
    DEMO = "demo", _("Demo data")


# A pledge has at most one current (asked or accepted) membership per MSP; declined and
# removed ones stay as the record of what happened.
CURRENT_STATES = (MembershipState.REQUESTED, MembershipState.ACCEPTED)


class MspMembershipQuerySet(models.QuerySet["MultistakeholderMembership"]):
    def public(self) -> "MspMembershipQuerySet":
        """Memberships that count in public: accepted, of a published pledge (whose entity the
        secretariat verified before it could be published)."""
        return self.filter(
            state=MembershipState.ACCEPTED,
            pledge__review_state=ReviewState.PUBLISHED,
            pledge__entity__is_verified=True,
        )


class MultistakeholderMembership(TimeStampedModel):
    """An individual pledge's membership of an MSP, with who asked and who decided."""

    msp = models.ForeignKey(
        MultistakeholderPledge, on_delete=models.CASCADE, related_name="memberships"
    )
    # The name `msp_memberships` is what pledges.filters reads (pledges never imports us).
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="msp_memberships")
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=MembershipState.choices,
        default=MembershipState.REQUESTED,
    )
    origin = models.CharField(
        _("origin"),
        max_length=12,
        choices=MembershipOrigin.choices,
        default=MembershipOrigin.REQUEST,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)

    objects = MspMembershipQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["msp_id", "-requested_at", "-id"]
        verbose_name = _("multistakeholder pledge membership")
        verbose_name_plural = _("multistakeholder pledge memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["msp", "pledge"],
                condition=models.Q(state__in=["requested", "accepted"]),
                name="msp_membership_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=MembershipState.values),
                name="msp_membership_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(origin__in=MembershipOrigin.values),
                name="msp_membership_origin_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state="requested") | models.Q(decided_at__isnull=False),
                name="msp_membership_decided_has_timestamp",
            ),
        ]
        indexes = [
            # The roll-up and the browser filter: the accepted pledges of an MSP.
            models.Index(
                fields=["msp", "pledge"],
                condition=models.Q(state="accepted"),
                name="msp_membership_accepted_idx",
            ),
            models.Index(fields=["pledge", "state"], name="msp_membership_pledge_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pledge_id} in {self.msp_id} ({self.state})"
