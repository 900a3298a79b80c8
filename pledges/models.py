"""Who pledges, what they pledge, and how they report on it.

The two state machines (editorial review of a pledge, and the self-reported implementation status)
are separate fields and are never merged. Transitions are made only by the pledge services.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.postgres.functions import RandomUUID
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.models import Country, Currency, ExchangeRate, TimeStampedModel
from forums.models import Forum, ReportingRound

from .names import cased_name_skeleton, name_skeleton
from .search_documents import entity_document, pledge_text_document, stored_pledge_document

# GRF23-00042 (announced at a forum: the forum's series) or GCR-C-000123 (announced outside any
# forum: the compact's continuous series, `CONTINUOUS_SERIES`).
REFERENCE_REGEX = r"^([A-Z0-9]{2,10}-[0-9]{5,}|[A-Z]{2,10}-C-[0-9]{6,})$"
CONTINUOUS_SERIES = "C"


def forum_reference(forum_code: str, number: int) -> str:
    """The reference of the `number`th pledge announced at a forum, e.g. GRF23-00042."""
    return f"{forum_code}-{number:05d}"


def continuous_reference(compact_code: str, number: int) -> str:
    """The reference of the `number`th pledge of a compact announced outside any forum, e.g.
    GCR-C-000123."""
    return f"{compact_code}-{CONTINUOUS_SERIES}-{number:06d}"


# What filters, facets and the progress engine's forum slices call "announced outside any forum"
# (a forum code is upper case, so it cannot be taken).
NO_FORUM = "none"
# The languages a pledge (and each of its translations) may be written in: the site's.
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class EntityType(models.Model):
    """A kind of pledging actor: State, UN agency, NGO, refugee-led organisation, company…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The paragraph of the compacts that names this kind of actor, e.g. "GCM ¶44 (A/RES/73/195)".
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("entity type")
        verbose_name_plural = _("entity types")

    def __str__(self) -> str:
        return self.name


class EntityQuerySet(models.QuerySet["Entity"]):
    """Reads of entities. `visible_to` says who may see which entity through the API."""

    def visible_to(self, user: Any) -> "EntityQuerySet":
        """Verified entities for everybody; also the user's own (possibly unverified) entities;
        everything for the secretariat. An unverified entity is only a claim somebody typed in,
        so it is not shown to the public until the secretariat has checked it."""
        if user is None or not user.is_authenticated:
            return self.filter(is_verified=True)
        if user.has_perm("pledges.review_pledge"):
            return self.all()
        own = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
            "entity_id"
        )
        return self.filter(models.Q(is_verified=True) | models.Q(pk__in=own))

    def awaiting_verification(self) -> "EntityQuerySet":
        """The secretariat's queue: neither verified nor declined."""
        return self.filter(is_verified=False, declined_at__isnull=True)

    def looking_like(self, name: str) -> "EntityQuerySet":
        """Live (not declined) entities whose name looks like `name`: one query through the
        two partial unique indexes on the look-alike keys."""
        same = models.Q(name_skeleton=name_skeleton(name)) | models.Q(
            cased_name_skeleton=cased_name_skeleton(name)
        )
        return self.filter(same, declined_at__isnull=True)


class Entity(TimeStampedModel):
    """An organisation or State that makes pledges. The secretariat verifies it before any of its
    pledges can be published, so nobody pledges in a State's name."""

    public_id = models.UUIDField(
        default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False
    )
    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    entity_type = models.ForeignKey(
        EntityType, on_delete=models.PROTECT, related_name="entities", verbose_name=_("type")
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entities",
        verbose_name=_("country"),
        help_text=_("Country of the State, or of the organisation's headquarters."),
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # A declined registration leaves the queue and frees its name (an impostor's claim must not
    # block the real entity), but stays so that its registrant can read why.
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # The two look-alike keys of `pledges.names`: look-alike names share one of them. Set by the
    # entity services and by clean() (admin). NULL (which a unique index lets repeat, unlike "")
    # only for a pre-existing look-alike that migration 0014 found.
    name_skeleton = models.TextField(  # noqa: DJ001
        _("name skeleton"), null=True, blank=True, editable=False
    )
    cased_name_skeleton = models.TextField(  # noqa: DJ001
        _("name skeleton (case kept)"), null=True, blank=True, editable=False
    )

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        constraints = [
            # One live entity per look-alike name, across all types (TR 39 skeletons).
            models.UniqueConstraint(
                fields=["name_skeleton"],
                condition=models.Q(declined_at__isnull=True),
                name="entity_name_skeleton_unique",
                violation_error_message=_("An entity with a name that looks the same exists."),
            ),
            models.UniqueConstraint(
                fields=["cased_name_skeleton"],
                condition=models.Q(declined_at__isnull=True),
                name="entity_cased_name_skeleton_unique",
                violation_error_message=_("An entity with a name that looks the same exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(is_verified=False) | models.Q(verified_at__isnull=False),
                name="entity_verified_has_timestamp",
            ),
            models.CheckConstraint(
                condition=models.Q(is_verified=False) | models.Q(declined_at__isnull=True),
                name="entity_not_both_verified_and_declined",
            ),
        ]
        indexes = [
            # The entity side of a text search (`pledges.search.entities_matching`): at 1,000,000
            # pledges a scan computed the document of 300,000 entities per search.
            GinIndex(entity_document(), name="entity_search_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Keeps the look-alike keys in step when a ModelForm (the admin) edits the name, and
        # says so on the field: the form skips the unique constraints on fields it lacks.
        self.name_skeleton = name_skeleton(self.name)
        self.cased_name_skeleton = cased_name_skeleton(self.name)
        if self.declined_at is None and (
            Entity.objects.looking_like(self.name).exclude(pk=self.pk).exists()
        ):
            raise ValidationError(
                {"name": _("An entity with a name that looks the same is already registered.")}
            )

    @property
    def is_declined(self) -> bool:
        return self.declined_at is not None


class MembershipRole(models.TextChoices):
    EDITOR = "editor", _("Editor")
    FOCAL_POINT = "focal_point", _("Focal point")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")


class Membership(TimeStampedModel):
    """A user acting for an entity. Only active members of a verified entity may submit for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.EDITOR
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
    )

    class Meta:
        ordering = ["entity__name", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "entity"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=MembershipStatus.values),
                name="membership_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.entity}"


class SupportType(models.Model):
    """A type of support a pledge offers: financial, material, technical, policy, places…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("support type")
        verbose_name_plural = _("support types")

    def __str__(self) -> str:
        return self.name


class ReviewState(models.TextChoices):
    """Editorial review of a pledge (who may move it where lives in the pledge services)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")
    # Published, but its entity's verification was withdrawn: off the public record until the
    # secretariat verifies the entity again, which publishes it again.
    SUSPENDED = "suspended", _("Suspended (entity not verified)")


class ImplementationStatus(models.TextChoices):
    """Self-reported in progress updates. 'Overdue' is derived, never stored."""

    NOT_STARTED = "not_started", _("Not started")
    PLANNING = "planning", _("Planning stage")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    DISCONTINUED = "discontinued", _("Discontinued")


class GeographyScope(models.TextChoices):
    GLOBAL = "global", _("Global")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")
    LOCAL = "local", _("Local")


# A pledge that is fulfilled or discontinued owes no more progress reports.
CLOSED_STATUSES = (ImplementationStatus.FULFILLED, ImplementationStatus.DISCONTINUED)


# The overdue rule, written once (`docs/progress.md`). The reports, the pledge browser's filter
# and the dashboard read it through `PledgeQuerySet.overdue`; the progress engine puts the very
# same SQL fragments into its aggregates, and its incremental run uses `is_overdue`.


def report_interval() -> relativedelta:
    """How long a pledge may go without an approved update: two reporting cycles."""
    return relativedelta(months=2 * settings.REPORTING_CYCLE_MONTHS)


def overdue_cutoff(on: dt.date) -> dt.date:
    """A pledge whose last report is older than this is overdue on `on`."""
    return on - report_interval()


def last_report_sql(last_update_on: str, published_at: str) -> str:
    """SQL of a pledge's last report: its latest approved update's report date, else the day
    (UTC, the site's TIME_ZONE) it was published."""
    return f"COALESCE({last_update_on}, ({published_at} AT TIME ZONE 'UTC')::date)"


def overdue_sql(status: str, last_report: str, cutoff: str) -> str:
    """SQL condition: a pledge neither fulfilled nor discontinued whose last report is older
    than the cut-off (the caller publishes the pledge; the arguments are SQL expressions)."""
    closed = ", ".join(f"'{value}'" for value in CLOSED_STATUSES)
    return f"({status} NOT IN ({closed}) AND {last_report} < {cutoff})"


def is_overdue(status: str, last_report: dt.date | None, cutoff: dt.date) -> bool:
    """`overdue_sql` for one pledge already read (SQL's NULL comparison is false)."""
    return status not in CLOSED_STATUSES and last_report is not None and last_report < cutoff


# The USD conversion rule, written once: `pledges.selectors.pledge_figures` and the progress
# engine both run this SQL.
USD = "USD"


def usd_rate_sql(currency: str, announced_on: str) -> str:
    """SQL of the USD value of one unit of a pledge's currency: the latest rate dated on or
    before its announcement (one probe of the (currency, date) unique index); exactly 1 for US
    dollars, which need no rate; NULL when there is none (shown as "not converted", never 0)."""
    rates = ExchangeRate._meta.db_table
    return (
        f"CASE WHEN {currency} = '{USD}' THEN 1::numeric ELSE "  # noqa: S608 — names, not values
        f'(SELECT usd_rate.usd_per_unit FROM "{rates}" usd_rate '
        f"WHERE usd_rate.currency_id = {currency} AND usd_rate.date <= {announced_on} "
        "ORDER BY usd_rate.date DESC LIMIT 1) END"
    )


class SqlRule(models.Func):
    """An ORM expression whose SQL comes from one of the builders above, each argument compiled
    by Django (so table aliases of subqueries and joins stay right)."""

    def __init__(
        self, build: Callable[..., str], *expressions: Any, output_field: models.Field
    ) -> None:
        self.build = build
        super().__init__(*expressions, output_field=output_field)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        # Func's signature; the builder writes the SQL, so there is no function or template.
        parts: list[str] = []
        params: list[str | int] = []
        # Each builder uses each argument once, in order: the parameters follow suit.
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        return self.build(*parts), tuple(params)


def at_forum_q(forums: Any, *, reaffirmed: bool) -> models.Q:
    """The condition of `PledgeQuerySet.at_forum`, for callers that OR it with others."""
    announced = models.Q(forum__in=forums)
    if not reaffirmed:
        return announced
    again = PledgeReaffirmation.objects.filter(pledge=models.OuterRef("pk"), forum__in=forums)
    return announced | models.Q(models.Exists(again))


class PledgeQuerySet(models.QuerySet["Pledge"]):
    """Reads of pledges. `visible_to` is the one place that says who may see which pledge;
    `overdue` the one place that says which pledge is late with its progress report."""

    def published(self) -> "PledgeQuerySet":
        return self.filter(review_state=ReviewState.PUBLISHED)

    def with_last_report(self) -> "PledgeQuerySet":
        """Annotate `last_report`: the report date of the latest approved update, else the day
        of publication."""
        return self.annotate(
            last_report=SqlRule(
                last_report_sql,
                models.F("last_update_on"),
                models.F("published_at"),
                output_field=models.DateField(),
            )
        )

    def overdue(self, *, on: dt.date) -> "PledgeQuerySet":
        """Published pledges, neither fulfilled nor discontinued, with no approved update in the
        last two reporting cycles, counting from publication when they never had one
        (`overdue_sql`, which the progress engine uses too). Annotated with `last_report`."""
        late = SqlRule(
            overdue_sql,
            models.F("implementation_status"),
            models.F("last_report"),
            models.Value(overdue_cutoff(on), output_field=models.DateField()),
            output_field=models.BooleanField(),
        )
        return self.published().with_last_report().filter(late)

    def in_round(self, round_: ReportingRound) -> "PledgeQuerySet":
        """The pledges a reporting round asks to report: published pledges of its compact,
        published by its last open day."""
        return self.published().filter(
            compact_id=round_.compact_id, published_at__date__lte=round_.last_open_day()
        )

    def overdue_in_round(self, round_: ReportingRound) -> "PledgeQuerySet":
        """The overdue rule read per round (`docs/progress.md`): the round's pledges
        (`in_round`), neither fulfilled nor discontinued, with no approved update for the
        round (by a verified reporter: `approved_update_q`). Annotated with `last_report`,
        like `overdue`."""
        reported = PledgeUpdate.objects.filter(approved_update_q(), round=round_).values(
            "pledge_id"
        )
        return (
            self.in_round(round_)
            .exclude(implementation_status__in=CLOSED_STATUSES)
            .exclude(pk__in=reported)
            .with_last_report()
        )

    def at_forum(self, forums: Any, *, reaffirmed: bool = True) -> "PledgeQuerySet":
        """Pledges announced at one of `forums` (a queryset or list of forums or ids), and,
        with `reaffirmed`, those reaffirmed there (`PledgeReaffirmation`). An EXISTS, not a
        join, so a pledge reaffirmed at two of them is listed once."""
        return self.filter(at_forum_q(forums, reaffirmed=reaffirmed))

    def with_translation(self, language: str | None = None) -> "PledgeQuerySet":
        """Annotate `translated_title` and `translated_description`: the pledge's translation
        into `language` (default: the active one), NULL when it has none. Two subqueries of the
        same query (through the unique (pledge, language) index), so a list costs no extra
        query. A translation is read only with its pledge, so it is exactly as visible."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        own = PledgeTranslation.objects.filter(pledge=models.OuterRef("pk"), language=language)
        return self.annotate(
            translated_title=models.Subquery(own.values("title")[:1]),
            translated_description=models.Subquery(own.values("description")[:1]),
        )

    def visible_to(self, user: Any) -> "PledgeQuerySet":
        """Published pledges for everybody; also the pledges of the user's own entities (as
        submitter or invited co-pledger); everything for the secretariat."""
        if user is None or not user.is_authenticated:
            return self.published()
        if user.has_perm("pledges.review_pledge"):
            return self.all()
        own = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
            "entity_id"
        )
        # EXISTS rather than a join: a join would repeat a pledge per co-pledger and need a
        # DISTINCT that makes every count and facet over this queryset slower.
        invited = PledgeParticipant.objects.filter(pledge=models.OuterRef("pk"), entity_id__in=own)
        return self.filter(
            models.Q(review_state=ReviewState.PUBLISHED)
            | models.Q(entity_id__in=own)
            | models.Exists(invited)
        )


class Pledge(TimeStampedModel):
    """A public commitment by an entity (alone or jointly), announced at a forum, serving one or
    more objectives of one compact."""

    public_id = models.UUIDField(
        default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False
    )
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, help_text=_("e.g. GRF23-00042")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    # The pledge's id in the system it was imported from (`imports`): what makes importing the
    # same file twice change nothing. Unique per compact; empty for pledges entered here.
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("The pledge's id in the system it was imported from."),
    )
    # The language the title and description are written in (a code of settings.LANGUAGES):
    # pages name it when they show the original text, and search stems the text by its rules.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="pledges")
    # Empty for a pledge announced outside any forum (continuous pledging): its `announced_on`
    # is then required and its reference is of its compact's continuous series.
    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges"
    )
    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("submitting entity"),
    )
    objectives = models.ManyToManyField(Objective, related_name="pledges")
    actions = models.ManyToManyField(ObjectiveAction, blank=True, related_name="pledges")
    principles = models.ManyToManyField(GuidingPrinciple, blank=True, related_name="pledges")
    thematic_areas = models.ManyToManyField(ThematicArea, blank=True, related_name="pledges")
    support_types = models.ManyToManyField(SupportType, blank=True, related_name="pledges")
    geography_scope = models.CharField(
        _("geographic scope"),
        max_length=10,
        choices=GeographyScope.choices,
        default=GeographyScope.NATIONAL,
    )
    beneficiary_countries = models.ManyToManyField(
        Country, blank=True, related_name="pledges", verbose_name=_("beneficiary countries")
    )
    support_platform = models.ForeignKey(
        SupportPlatform,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges"
    )
    announced_on = models.DateField(
        _("announced on"),
        null=True,
        blank=True,
        help_text=_("Date the pledge was announced; its amount converts to USD at this date."),
    )
    review_state = models.CharField(
        _("review state"),
        max_length=20,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        db_index=True,
    )
    implementation_status = models.CharField(
        _("implementation status"),
        max_length=20,
        choices=ImplementationStatus.choices,
        blank=True,
        help_text=_("From the latest approved progress update; blank until the first one."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    last_update_on = models.DateField(
        _("last approved update"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Report date of the latest approved progress update."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledges_created",
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Incremented by every change, so that a stale edit is refused."),
    )
    # The searchable text of the pledge's translations, each stemmed by its own language
    # (`pledge_text_document()` adds it to the pledge's own). Written by the translation services
    # only.
    translation_search_vector = SearchVectorField(default="", db_default="", editable=False)
    # The searchable names of what the pledge is about (entity, countries, objectives, thematic
    # areas) in the six languages (`pledges.search_context`), searched after `search_document`
    # (`stored_pledge_document()`). Written by the pledge services only. Kept in the row
    # (STORAGE MAIN, migration 0032), where the search ranks it.
    context_search_vector = SearchVectorField(default="", editable=False)
    # The pledge's own text and its translations, stemmed (`pledge_text_document()`), stored so
    # that ranking a search's matches reads it instead of stemming each match's description
    # again (ts_rank over the expression took 540 ms for 4,000 matches at 1,000,000 pledges).
    # The GIN index covers it followed by the context (`stored_pledge_document()`).
    search_document = models.GeneratedField(
        expression=pledge_text_document(), output_field=SearchVectorField(), db_persist=True
    )

    objects = PledgeQuerySet.as_manager()
    # Who changed what and when, field by field (shown as the pledge's history). The services
    # save once per change, with the M2M sets applied first, so each change is one version.
    history = HistoricalRecords(
        m2m_fields=[
            objectives,
            actions,
            principles,
            thematic_areas,
            support_types,
            beneficiary_countries,
        ],
        excluded_fields=[
            "updated_at",
            "version",
            "translation_search_vector",
            "context_search_vector",
            "search_document",
        ],
        cascade_delete_history=True,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        permissions = [("review_pledge", _("Can review pledges and progress updates"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reference__regex=REFERENCE_REGEX), name="pledge_reference_format"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="pledge_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True, currency__isnull=True)
                | models.Q(amount__isnull=False, currency__isnull=False),
                name="pledge_amount_has_currency",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="pledge_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(review_state__in=ReviewState.values),
                name="pledge_review_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(implementation_status__in=[*ImplementationStatus.values, ""]),
                name="pledge_implementation_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(review_state=ReviewState.PUBLISHED)
                | models.Q(published_at__isnull=False),
                name="pledge_published_has_timestamp",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=LANGUAGE_CODES), name="pledge_language_valid"
            ),
            models.UniqueConstraint(
                fields=["compact", "external_id"],
                condition=~models.Q(external_id=""),
                name="pledge_external_id_unique_per_compact",
                violation_error_message=_("Another pledge of this compact has this external id."),
            ),
        ]
        indexes = [
            models.Index(fields=["compact", "review_state"], name="pledge_compact_state_idx"),
            models.Index(fields=["forum", "review_state"], name="pledge_forum_state_idx"),
            # The public lists' hot filter (compact + implementation status of published
            # pledges, newest first): an exact range instead of walking the primary key
            # backwards past every other row (docs/performance.md, EXPLAIN ANALYZE).
            models.Index(
                fields=["compact", "implementation_status", "-id"],
                condition=models.Q(review_state="published"),
                name="pledge_published_status_idx",
            ),
            # The browser's capped facet read for "this status, any compact": with the id in
            # the index (INCLUDE) it is an index-only scan of limit + 1 entries. The id is not a
            # second key column, so that the index offers no id order: the API list's ordered
            # read stays on pledge_published_status_idx (tests/performance/test_query_counts.py).
            models.Index(
                fields=["implementation_status"],
                include=["id"],
                condition=models.Q(review_state="published"),
                name="pledge_published_by_status_idx",
            ),
            # The browser's default order (newest published first): an index scan that stops
            # after one page instead of sorting every published pledge per request.
            models.Index(
                models.F("published_at").desc(nulls_last=True),
                models.F("id").desc(),
                condition=models.Q(review_state="published"),
                name="pledge_published_newest_idx",
            ),
            # The forum page: its published pledges newest first, one page read straight from
            # the index (the index above walks every other forum's pledges first). The
            # objective page reads its compact's (an objective serves 40 % of them where it
            # serves 1 % of all).
            models.Index(
                models.F("compact"),
                models.F("published_at").desc(nulls_last=True),
                models.F("id").desc(),
                condition=models.Q(review_state="published"),
                name="pledge_compact_newest_idx",
            ),
            models.Index(
                models.F("forum"),
                models.F("published_at").desc(nulls_last=True),
                models.F("id").desc(),
                condition=models.Q(review_state="published"),
                name="pledge_forum_newest_idx",
            ),
            # The entity page: its published pledges counted and its own ids read newest first
            # from the index alone (`entity_pledge_ids`); at 1,000,000 pledges the largest
            # entity's count read ~5,200 heap pages (17 ms warm) by the plain entity index.
            models.Index(
                models.F("entity"),
                models.F("published_at").desc(nulls_last=True),
                models.F("id").desc(),
                condition=models.Q(review_state="published"),
                name="pledge_entity_newest_idx",
            ),
            # The forum page's count of pledges reaffirmed there (announced elsewhere): for each
            # reaffirmation, whether its pledge is published and of another forum, read from
            # this index alone (at 1,000,000 pledges the heap rows were ~19 ms of reads, or a
            # hash join over every published pledge). Also the API list's unfiltered newest
            # first, an index-only read of one page.
            models.Index(
                fields=["id"],
                include=["forum"],
                condition=models.Q(review_state="published"),
                name="pledge_published_forum_idx",
            ),
            # The full-text search (`pledges.search`).
            GinIndex(stored_pledge_document(), name="pledge_search_idx"),
            # The title's words as written, for the duplicate warning (`pledges.duplicates`,
            # which compiles `title_words()` to this same expression).
            GinIndex(SearchVector("title", config="simple"), name="pledge_title_words_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    # What the pages show: the translation into the active language that `with_translation`
    # annotated, else the original text, marked with its language.

    @property
    def shown_title(self) -> str:
        return getattr(self, "translated_title", None) or self.title

    @property
    def shown_description(self) -> str:
        return getattr(self, "translated_description", None) or self.description

    @property
    def is_translated(self) -> bool:
        return bool(getattr(self, "translated_title", None))

    @property
    def in_other_language(self) -> bool:
        """Whether the original text is in another language than the page's."""
        return self.language != translation.get_language()

    @property
    def language_name(self) -> str:
        """The pledge's language, named in the active language ("French", « anglais »)."""
        return language_name(self.language)

    @property
    def language_dir(self) -> str:
        return language_dir(self.language)


def language_name(code: str) -> str:
    """A language of settings.LANGUAGES named in the active language."""
    return str(translation.get_language_info(code)["name_translated"])


def language_dir(code: str) -> str:
    """The writing direction of a language, for the `dir` attribute of its text."""
    return "rtl" if translation.get_language_info(code)["bidi"] else "ltr"


class PledgeTranslation(TimeStampedModel):
    """The title and description of a pledge in another language than the one it was written in,
    added by its entity or the secretariat (`pledges.services.translations`). Pages show it to
    readers of that language; search finds the pledge by its words."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    # Like the pledge's own text: who changed which translation, and when. A removed
    # translation keeps its history (no cascade), as the audit trail keeps its entry.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["pledge_id", "language"]
        verbose_name = _("pledge translation")
        verbose_name_plural = _("pledge translations")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "language"], name="pledge_translation_unique_language"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=LANGUAGE_CODES),
                name="pledge_translation_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge_id} [{self.language}] {self.title}"

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def language_dir(self) -> str:
        return language_dir(self.language)


class PledgeProgressMark(models.Model):
    """A pledge changed in a way that may move the progress figures since the engine last read
    it. Written in the same transaction as the change (with the objectives' stale marks), so
    the progress engine can apply just this pledge's difference to its stored sums instead of
    re-aggregating whole objectives. A plain id, not a foreign key: the mark of a deleted pledge
    must survive it, so that its old contribution is taken out."""

    pledge_id = models.BigIntegerField(_("pledge id"), primary_key=True)
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("pledge progress mark")
        verbose_name_plural = _("pledge progress marks")

    def __str__(self) -> str:
        return f"pledge {self.pledge_id} changed at {self.marked_at:%Y-%m-%d %H:%M:%S}"


class PledgeReferenceCounter(models.Model):
    """The last reference number handed out per forum, so references are gap-tolerant,
    never reused, and assigned without a race (the pledge service locks this row)."""

    forum = models.OneToOneField(Forum, on_delete=models.CASCADE, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("pledge reference counter")
        verbose_name_plural = _("pledge reference counters")

    def __str__(self) -> str:
        return f"{self.forum.code}: {self.last_number}"


class ContinuousReferenceCounter(models.Model):
    """The last number of a compact's continuous series (GCR-C-000123): the references of
    pledges announced outside any forum. Locked like `PledgeReferenceCounter`; a series of its
    own, so it can never collide with a forum's (a forum code has no "-C-")."""

    compact = models.OneToOneField(Compact, on_delete=models.CASCADE, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("continuous reference counter")
        verbose_name_plural = _("continuous reference counters")

    def __str__(self) -> str:
        return f"{self.compact.code}-{CONTINUOUS_SERIES}: {self.last_number}"


class PledgeReaffirmation(models.Model):
    """A published pledge announced again at a later forum of its compact, by its entity
    (`pledges.services.reaffirmations`). The forum pages and the browser's forum filter can
    count it there too (`PledgeQuerySet.at_forum`)."""

    pledge = models.ForeignKey("Pledge", on_delete=models.CASCADE, related_name="reaffirmations")
    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="reaffirmations", verbose_name=_("forum")
    )
    reaffirmed_on = models.DateField(_("reaffirmed on"))
    reaffirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledge_reaffirmations",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pledge_id", "reaffirmed_on", "id"]
        verbose_name = _("reaffirmation")
        verbose_name_plural = _("reaffirmations")
        constraints = [
            models.UniqueConstraint(fields=["pledge", "forum"], name="reaffirmation_unique_forum"),
        ]
        indexes = [models.Index(fields=["forum", "pledge"], name="reaffirmation_forum_idx")]

    def __str__(self) -> str:
        return f"{self.pledge_id} reaffirmed at {self.forum_id}"


class ParticipantRole(models.TextChoices):
    CO_PLEDGER = "co_pledger", _("Co-pledger")
    IMPLEMENTING_PARTNER = "implementing_partner", _("Implementing partner")
    FUNDER = "funder", _("Funder")


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


_PUBLIC_PARTICIPANT = models.Q(status=ParticipantStatus.ACCEPTED, entity__is_verified=True)


class PledgeParticipantQuerySet(models.QuerySet["PledgeParticipant"]):
    """Reads of co-pledging entities. `public` and `visible_to` are the one place that says who
    may see which co-pledger: every page, API list and export reads them through these."""

    def public(self) -> "PledgeParticipantQuerySet":
        """Co-pledgers that accepted and whose entity the secretariat verified. Without the
        consent nobody is named on a pledge; without the verification anybody could register
        a State's name and put it on their own pledge."""
        return self.filter(_PUBLIC_PARTICIPANT)

    def visible_to(self, user: Any) -> "PledgeParticipantQuerySet":
        """The public co-pledgers for everybody; also every invitation (pending, declined, or
        of an unverified entity) to the members of the pledge's entity and of the invited
        entity; everything for the secretariat."""
        if user is None or not user.is_authenticated:
            return self.public()
        if user.has_perm("pledges.review_pledge"):
            return self.all()
        own = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
            "entity_id"
        )
        return self.filter(
            _PUBLIC_PARTICIPANT | models.Q(entity_id__in=own) | models.Q(pledge__entity_id__in=own)
        )


class PledgeParticipant(TimeStampedModel):
    """A co-pledging entity on a joint pledge; it accepts or declines the invitation. It is
    public only once accepted and its entity verified (`PledgeParticipantQuerySet.public`)."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="participants")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(
        _("role"),
        max_length=30,
        choices=ParticipantRole.choices,
        default=ParticipantRole.CO_PLEDGER,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ParticipantStatus.choices,
        default=ParticipantStatus.INVITED,
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    objects = PledgeParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["pledge_id", "entity__name"]
        verbose_name = _("co-pledging entity")
        verbose_name_plural = _("co-pledging entities")
        constraints = [
            models.UniqueConstraint(fields=["pledge", "entity"], name="participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} on {self.pledge.reference}"


class LinkKind(models.TextChoices):
    # A match is the matching app's two-sided record and joining a multistakeholder pledge is a
    # partnerships membership: the former `matches` and `contributes_to` links were moved there.
    SUPERSEDES = "supersedes", _("Supersedes")
    DUPLICATE_OF = "duplicate_of", _("Duplicate of")


class PledgeLink(TimeStampedModel):
    """A typed relation from one pledge to another, e.g. a revised pledge *supersedes* the one
    it replaces."""

    source = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)

    class Meta:
        ordering = ["source_id", "kind"]
        verbose_name = _("pledge link")
        verbose_name_plural = _("pledge links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="pledge_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="pledge_link_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=LinkKind.values), name="pledge_link_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.reference} {self.get_kind_display()} {self.target.reference}"


class TargetUnit(models.TextChoices):
    PERSONS = "persons", _("Persons")
    PLACES = "places", _("Places")
    USD = "usd", _("USD")
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    OTHER = "other", _("Other")


class PledgeTarget(models.Model):
    """A quantified target of a pledge, e.g. 500 resettlement places by 2027."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("metric"), max_length=200)
    unit = models.CharField(_("unit"), max_length=10, choices=TargetUnit.choices)
    baseline = models.DecimalField(
        _("baseline"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        ordering = ["pledge_id", "id"]
        verbose_name = _("pledge target")
        verbose_name_plural = _("pledge targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_value__gte=0), name="target_value_non_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(unit="percent") | models.Q(target_value__lte=100),
                name="target_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(unit__in=TargetUnit.values), name="target_unit_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {self.target_value} {self.get_unit_display()}"


class UpdateReviewState(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


def approved_update_q() -> models.Q:
    """Approved, and its reporting entity verified: an approved update speaks in that entity's
    name, so it is shown only while the entity is verified (a co-pledger that lost its
    verification reported it, too)."""
    return models.Q(review_state=UpdateReviewState.APPROVED, entity__is_verified=True)


def public_update_q() -> models.Q:
    """What anybody may see of progress updates: approved (`approved_update_q`), of a published
    pledge. The rule's one home: the API (`public`), the change feed (`feed_updates`), its seed
    and the data package all compile from it."""
    return approved_update_q() & models.Q(pledge__review_state=ReviewState.PUBLISHED)


class PledgeUpdateQuerySet(models.QuerySet["PledgeUpdate"]):
    """Reads of progress updates; `visible_to` is the one place that says who sees which."""

    def public(self) -> "PledgeUpdateQuerySet":
        return self.filter(public_update_q())

    def visible_to(self, user: Any) -> "PledgeUpdateQuerySet":
        """Approved updates of the pledges the user may see; every update (pending, returned)
        of the user's own entities' pledges; everything for the secretariat. This is what the
        pledge page shows: unapproved updates are between the entity and its reviewers."""
        if user is None or not user.is_authenticated:
            return self.public()
        if user.has_perm("pledges.review_pledge"):
            return self.all()
        approved = approved_update_q() & models.Q(
            pledge__in=Pledge.objects.visible_to(user).values("pk")
        )
        own = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
            "entity_id"
        )
        # A co-pledging entity sees the updates it reported itself (pending, returned) too.
        return self.filter(
            approved | models.Q(pledge__entity_id__in=own) | models.Q(entity_id__in=own)
        )


class PledgeUpdate(TimeStampedModel):
    """A progress report on a pledge, submitted by one member of the submitting entity on behalf
    of all joint pledgers. Only approved updates count in figures."""

    public_id = models.UUIDField(
        default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False
    )
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="updates")
    # The entity the report speaks for: the pledge's own, or an accepted, verified co-pledger's
    # (set by the update service from the submitter's membership).
    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="pledge_updates",
        verbose_name=_("reporting entity"),
    )
    # The reporting round the update answers, if any (open on the day it was submitted).
    round = models.ForeignKey(
        ReportingRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("reporting round"),
    )
    status = models.CharField(
        _("implementation status"), max_length=20, choices=ImplementationStatus.choices
    )
    narrative = models.TextField(_("narrative"))
    challenges = models.TextField(_("challenges"), blank=True)
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True)
    disbursed_amount = models.DecimalField(
        _("amount disbursed to date"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Cumulative, in the pledge's currency."),
    )
    reported_on = models.DateField(_("reported on"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledge_updates_submitted",
    )
    review_state = models.CharField(
        _("review state"),
        max_length=20,
        choices=UpdateReviewState.choices,
        default=UpdateReviewState.PENDING,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledge_updates_reviewed",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = PledgeUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disbursed_amount__isnull=True)
                | models.Q(disbursed_amount__gte=0),
                name="update_disbursed_non_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(review_state="returned") | ~models.Q(review_note=""),
                name="update_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ImplementationStatus.values),
                name="update_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(review_state__in=UpdateReviewState.values),
                name="update_review_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(review_state=UpdateReviewState.PENDING)
                | models.Q(reviewed_at__isnull=False),
                name="update_reviewed_has_timestamp",
            ),
        ]
        indexes = [
            models.Index(
                fields=["pledge", "review_state", "-reported_on"], name="update_pledge_latest_idx"
            ),
            # "Which pledges reported in this round" (the overdue rule per round).
            models.Index(
                fields=["round", "pledge"],
                condition=models.Q(round__isnull=False),
                name="update_round_pledge_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge.reference} update of {self.reported_on}"


class PledgeUpdateActual(models.Model):
    """The achieved value of one pledge target as of one update (cumulative)."""

    update = models.ForeignKey(PledgeUpdate, on_delete=models.CASCADE, related_name="actuals")
    target = models.ForeignKey(PledgeTarget, on_delete=models.CASCADE, related_name="actuals")
    value = models.DecimalField(_("achieved value"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["update_id", "target_id"]
        verbose_name = _("actual value")
        verbose_name_plural = _("actual values")
        constraints = [
            models.UniqueConstraint(fields=["update", "target"], name="actual_unique_per_target"),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="actual_value_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target.metric}: {self.value}"
