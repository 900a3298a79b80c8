"""The GCR indicator framework, its values, and computed progress snapshots."""

import datetime as dt

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact, Objective
from core.models import Country


class IndicatorUnit(models.TextChoices):
    USD = "usd", _("USD")
    PERCENT = "percent", _("Percent")
    PERSONS = "persons", _("Persons")
    COUNT = "count", _("Count")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")


class FrameworkEdition(models.Model):
    """One published edition of a compact's indicator framework, e.g. the GCR indicator
    framework of July 2019 (15 indicators) or its refined edition of 2022 (16). Editions exist
    side by side: an indicator belongs to one, and is identified by edition and code."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="frameworks")
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    indicator_count = models.PositiveSmallIntegerField(
        _("indicators published"),
        null=True,
        blank=True,
        help_text=_("How many indicators the edition defines, as its source says."),
    )
    url = models.URLField(_("address"), max_length=500, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["compact__code", "year"]
        verbose_name = _("indicator framework edition")
        verbose_name_plural = _("indicator framework editions")
        constraints = [
            models.UniqueConstraint(
                fields=["compact", "year"], name="framework_edition_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReportEdition(models.Model):
    """One edition of an indicator report (the GCR Indicator Report of 2021, 2023, 2025…): the
    values it publishes belong to it, so that a later report's revision keeps the earlier."""

    framework = models.ForeignKey(
        FrameworkEdition, on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    published_month = models.PositiveSmallIntegerField(
        _("month published"),
        null=True,
        blank=True,
        help_text=_("1–12; empty when the source gives only the year."),
    )
    url = models.URLField(_("address"), max_length=500, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["framework__compact__code", "year"]
        verbose_name = _("indicator report edition")
        verbose_name_plural = _("indicator report editions")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "year"], name="report_edition_unique_year"
            ),
            models.CheckConstraint(
                condition=models.Q(published_month__isnull=True)
                | models.Q(published_month__gte=1, published_month__lte=12),
                name="report_edition_month_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> dt.date:
        """The first day of the month (or year) of publication, for date formatting."""
        return dt.date(self.year, self.published_month or 1, 1)


def _counts_for_progress() -> Q:
    """An indicator feeds progress figures when it belongs to its compact's latest framework
    edition that has indicators, or to no edition. Older editions are kept as history."""
    latest = (
        # An edition added before its indicators does not stop the current ones counting.
        FrameworkEdition.objects.filter(
            compact_id=models.OuterRef("compact_id"), indicators__isnull=False
        )
        .order_by("-year")
        .values("pk")[:1]
    )
    return Q(edition__isnull=True) | Q(edition_id=models.Subquery(latest))


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def counting(self) -> "IndicatorQuerySet":
        """The indicators that feed progress figures (see `_counts_for_progress`)."""
        return self.filter(_counts_for_progress())

    def with_counts_for_progress(self) -> "IndicatorQuerySet":
        """Each indicator annotated with `counts_for_progress`, in the same query."""
        return self.annotate(
            counts_for_progress=models.Case(
                models.When(_counts_for_progress(), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


class Indicator(models.Model):
    """A population-level statistic that measures progress on one objective, e.g. GCR 3.1.1
    'refugees resettled to third countries', in one edition of the framework."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="indicators")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="indicators")
    edition = models.ForeignKey(
        FrameworkEdition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("framework edition"),
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.HIGHER_IS_BETTER,
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.DecimalField(
        _("target value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    # Whether code, title, objective and unit were checked against the edition's published
    # text; pages show the note of an unconfirmed one.
    confirmed = models.BooleanField(_("confirmed against the source"), default=False)
    confirmation_note = models.TextField(_("what is not confirmed"), blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["compact__code", "edition__year", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["compact", "code"],
                condition=models.Q(edition__isnull=True),
                name="indicator_code_unique_per_compact",
            ),
            models.UniqueConstraint(
                fields=["edition", "code"], name="indicator_code_unique_per_edition"
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_value__isnull=True)
                | models.Q(baseline_year__isnull=False),
                name="indicator_baseline_has_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def framework_version(self) -> str:
        """The edition's year, as the API's `framework_version` always said ("2022")."""
        return str(self.edition.year) if self.edition is not None else ""


class IndicatorValueQuerySet(models.QuerySet["IndicatorValue"]):
    def latest_first(self) -> "IndicatorValueQuerySet":
        """Newest reference year first and, within a year, the latest report's value first;
        values from no report (the secretariat's, generated demo values) after them."""
        return self.order_by("-year", models.F("report__year").desc(nulls_last=True), "-pk")


class IndicatorValue(models.Model):
    """An observed value of an indicator for one country (or globally, when country is empty) in
    one reference year, as one report edition published it (or from another source, when report
    is empty). A later report's revision is another row: both are kept. Percentages keep
    numerator and denominator so that they aggregate correctly."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    report = models.ForeignKey(
        ReportEdition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="values",
        verbose_name=_("report edition"),
        help_text=_("The indicator report that published the value; empty for other sources."),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
        help_text=_("Empty for a global value."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    numerator = models.DecimalField(
        _("numerator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=300)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator_id", "year", "country_id"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "country", "year", "report"],
                condition=models.Q(country__isnull=False),
                nulls_distinct=False,
                name="indicator_value_unique_per_country_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "report"],
                condition=models.Q(country__isnull=True),
                nulls_distinct=False,
                name="indicator_value_unique_global_year",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1950, year__lte=2100),
                name="indicator_value_year_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(denominator__isnull=True) | models.Q(denominator__gt=0),
                name="indicator_value_denominator_positive",
            ),
        ]

    def __str__(self) -> str:
        where = self.country_id or "global"
        return f"{self.indicator.code} {where} {self.year}: {self.value}"

    def clean(self) -> None:
        super().clean()
        if self.report_id and self.indicator_id:
            report = ReportEdition.objects.select_related("framework").get(pk=self.report_id)
            if report.framework.compact_id != self.indicator.compact_id:
                raise ValidationError(
                    {"report": _("This report edition reports on another compact's indicators.")}
                )


class SliceKind(models.TextChoices):
    OVERALL = "overall", _("Overall")
    FORUM = "forum", _("Forum")
    REGION = "region", _("Region")
    ENTITY_TYPE = "entity_type", _("Entity type")
    # Compact totals only: the beneficiary countries' ranking on the dashboard.
    COUNTRY = "country", _("Beneficiary country")


class SnapshotFields(models.Model):
    """What every progress snapshot holds: one slice, one day, its figures and when and from
    what inputs they were computed."""

    slice_kind = models.CharField(_("slice"), max_length=20, choices=SliceKind.choices)
    slice_key = models.CharField(_("slice value"), max_length=40, blank=True)
    date = models.DateField(_("date"))
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    inputs_fingerprint = models.CharField(_("inputs fingerprint"), max_length=64, blank=True)

    class Meta:
        abstract = True


class ProgressSnapshot(SnapshotFields):
    """Computed progress of one objective for one slice on one day (filled by the progress
    engine); one row per objective × slice × day, so history builds up for time series."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="snapshots")

    class Meta:
        ordering = ["objective_id", "slice_kind", "slice_key", "-date"]
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "slice_kind", "slice_key", "date"],
                name="progress_snapshot_unique_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective} {self.slice_kind}:{self.slice_key} {self.date}"


class CompactProgressSnapshot(SnapshotFields):
    """Computed totals of a whole compact for one slice on one day. Each pledge counts once here,
    even when it serves several objectives (its money is not summed twice)."""

    compact = models.ForeignKey(Compact, on_delete=models.CASCADE, related_name="snapshots")

    class Meta:
        ordering = ["compact_id", "slice_kind", "slice_key", "-date"]
        verbose_name = _("compact progress snapshot")
        verbose_name_plural = _("compact progress snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["compact", "slice_kind", "slice_key", "date"],
                name="compact_snapshot_unique_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compact.code} {self.slice_kind}:{self.slice_key} {self.date}"


class MspProgressSnapshot(SnapshotFields):
    """Computed roll-up of one multistakeholder pledge's member pledges for one slice on one
    day: the same figures as an objective's, over the published pledges that joined it."""

    msp = models.ForeignKey(
        "partnerships.MultistakeholderPledge", on_delete=models.CASCADE, related_name="snapshots"
    )

    class Meta:
        ordering = ["msp_id", "slice_kind", "slice_key", "-date"]
        verbose_name = _("multistakeholder pledge progress snapshot")
        verbose_name_plural = _("multistakeholder pledge progress snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["msp", "slice_kind", "slice_key", "date"],
                name="msp_snapshot_unique_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"msp {self.msp_id} {self.slice_kind}:{self.slice_key} {self.date}"


class RunKind(models.TextChoices):
    INCREMENTAL = "incremental", _("Changed objectives")
    FULL = "full", _("Full recompute")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Nothing to do")
    # Its worker stopped beating (killed, crashed, lost its host) before the run finished.
    ABANDONED = "abandoned", _("Abandoned")


def abandoned_before() -> dt.datetime:
    """A running run with no heartbeat since this moment lost its worker: its locks, renewed
    with each heartbeat, have expired too, so another run may already redo its objectives."""
    return timezone.now() - dt.timedelta(seconds=settings.PROGRESS_LOCK_SECONDS)


class RecomputeRunQuerySet(models.QuerySet["RecomputeRun"]):
    def abandoned(self) -> "RecomputeRunQuerySet":
        """Runs recorded as running whose worker stopped beating (see `abandoned_before`)."""
        return self.filter(status=RunStatus.RUNNING).filter(
            Q(heartbeat_at__lt=abandoned_before())
            | Q(heartbeat_at__isnull=True, started_at__lt=abandoned_before())
        )


class RecomputeRun(models.Model):
    """One run of the progress engine, so that failures stay visible and can be re-run."""

    kind = models.CharField(_("kind"), max_length=20, choices=RunKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started"), db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    objectives_done = models.PositiveIntegerField(_("objectives done"), default=0)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    triggered_by = models.CharField(_("triggered by"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Moved every few seconds while the run is alive, together with its Redis locks; a run
    # still "running" whose heartbeat is older than the lock timeout lost its worker.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    objects = RecomputeRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("progress recompute run")
        verbose_name_plural = _("progress recompute runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="running") | models.Q(finished_at__isnull=False),
                name="recompute_run_finished_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(error=""),
                name="recompute_run_failure_has_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def shown_status(self) -> str:
        """The status to show: a run still recorded as running whose worker stopped beating is
        abandoned even before the next run stores it so."""
        if self.status == RunStatus.RUNNING:
            last_sign = self.heartbeat_at or self.started_at
            if last_sign < abandoned_before():
                return RunStatus.ABANDONED
        return self.status

    def get_shown_status_display(self) -> str:
        return str(RunStatus(self.shown_status).label)

    @property
    def error_summary(self) -> str:
        """The error's first line, which says what went wrong; the traceback below it is for
        the admin."""
        return self.error.partition("\n")[0]

    @property
    def duration_seconds(self) -> float | None:
        return None if self.duration_ms is None else self.duration_ms / 1000


# --------------------------------------------------------------------------------------------
# Stored sums for incremental runs (see indicators/delta.py)
# --------------------------------------------------------------------------------------------


class ProgressBase(models.Model):
    """Whether the stored facts and sums below are complete for a day. A full run builds them;
    incremental runs of the same day then apply each changed pledge's difference to the sums
    instead of re-aggregating. One row (pk 1); removed when something that touches every pledge
    changes (an exchange rate), so that the next full run starts afresh."""

    built_on = models.DateField(_("built for"))
    built_at = models.DateTimeField(_("built at"))
    # The day the combined filters' sums (`FilterSum`) were built for from these facts: they are
    # built after the full run commits (`delta.build_filter_sums`), so that the run's snapshots
    # do not wait for them; until then the dashboard reads the facts. None: not built yet.
    filter_sums_on = models.DateField(_("filter sums built for"), null=True, blank=True)

    class Meta:
        verbose_name = _("progress base")
        verbose_name_plural = _("progress bases")

    def __str__(self) -> str:
        return f"progress sums for {self.built_on}"


class PledgeFact(models.Model):
    """What one published pledge contributed to the stored sums when the engine last read it:
    the inputs of every figure, so that its old contribution can be taken out when it changes."""

    pledge_id = models.BigIntegerField(_("pledge id"), primary_key=True)
    compact_id = models.BigIntegerField(_("compact id"))
    objective_ids = models.JSONField(_("objective ids"), default=list)
    forum_code = models.CharField(_("forum"), max_length=40)
    entity_type_code = models.CharField(_("entity type"), max_length=40)
    geography_scope = models.CharField(_("geography scope"), max_length=20)
    regions = models.JSONField(_("regions"), default=list)
    countries = models.JSONField(_("countries"), default=list)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, null=True)
    rate = models.DecimalField(_("USD rate"), max_digits=20, decimal_places=10, null=True)
    disbursed = models.DecimalField(_("disbursed"), max_digits=18, decimal_places=2, null=True)
    last = models.DateField(_("last news"), null=True)
    implementation_status = models.CharField(_("implementation status"), max_length=20)
    # [[unit, target value, latest approved value or null], …] as strings.
    targets = models.JSONField(_("targets"), default=list)
    # Sorted ids: the type-of-support filter's key in the stored filter sums (`FilterSum`),
    # kept here so that an incremental run can take out what a pledge counted before its edit.
    support_type_ids = models.JSONField(_("types of support"), default=list)

    class Meta:
        verbose_name = _("pledge progress fact")
        verbose_name_plural = _("pledge progress facts")
        # The dashboard's combined filters (indicators/combined.py) read the facts of one
        # compact that pass any combination: B-trees for the equalities, GIN (containment,
        # `@>`) for the lists, so that a selective combination is a bitmap of index scans.
        indexes = [
            models.Index(fields=["compact_id", "forum_code"], name="pledge_fact_forum_idx"),
            models.Index(
                fields=["compact_id", "entity_type_code"], name="pledge_fact_entity_type_idx"
            ),
            GinIndex(
                fields=["regions"], opclasses=["jsonb_path_ops"], name="pledge_fact_regions_gin"
            ),
            GinIndex(
                fields=["countries"], opclasses=["jsonb_path_ops"], name="pledge_fact_countries_gin"
            ),
            GinIndex(
                fields=["objective_ids"],
                opclasses=["jsonb_path_ops"],
                name="pledge_fact_objectives_gin",
            ),
        ]

    def __str__(self) -> str:
        return f"facts of pledge {self.pledge_id}"


class OwnerKind(models.TextChoices):
    OBJECTIVE = "objective", _("Objective")
    COMPACT = "compact", _("Compact")


class ProgressSum(models.Model):
    """The additive counters of one objective or compact × slice (× target unit): what the
    grouped aggregation returns, before it is turned into figures. Decimal sums are kept as
    exact strings; `unit` is empty for the pledge counters."""

    owner_kind = models.CharField(_("owner"), max_length=10, choices=OwnerKind.choices)
    owner_id = models.BigIntegerField(_("owner id"))
    slice_kind = models.CharField(_("slice"), max_length=20, choices=SliceKind.choices)
    slice_key = models.CharField(_("slice value"), max_length=40, blank=True)
    unit = models.CharField(_("target unit"), max_length=20, blank=True)
    counters = models.JSONField(_("counters"), default=dict)

    class Meta:
        verbose_name = _("progress sum")
        verbose_name_plural = _("progress sums")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_kind", "owner_id", "slice_kind", "slice_key", "unit"],
                name="progress_sum_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_kind} {self.owner_id} {self.slice_kind}:{self.slice_key} {self.unit}"


# Counters of `FilterSum`: engine.PLEDGE_COUNTERS and TARGET_COUNTERS, one column each
# (tests/dashboards/test_combined_filters.py checks that none is missing).
# Internal columns, never shown: their names are their labels.
def _count() -> models.BigIntegerField:
    return models.BigIntegerField(default=0)


def _sum() -> models.DecimalField:
    # Amount (2 places) × USD rate (10 places): sums of products keep 12 places, exactly.
    return models.DecimalField(max_digits=40, decimal_places=12, default=0)


class FilterSum(models.Model):
    """The engine's counters over the stored facts (`PledgeFact`) of the pledges that share the
    keys in `dims` — forum, entity type, regions, objectives, types of support (bits 1, 2, 4, 8,
    16; a key not in `dims` is summed over and left empty) — and, for the country breakdown and
    the targets, one country or one target unit. A combination of the dashboard's filters is a
    sum over a few of these rows instead of a pass over every matching pledge
    (indicators/filter_sums.py); a country with another country or a target unit gives the
    countries and targets of a country filter. List keys are whole sets (a pledge in two
    regions is one row, not two), so expanding them while grouping counts each pledge once per
    value, as the facts do. Built after a full run, adjusted by incremental runs in the same
    transactions as the facts, for the day of `ProgressBase.filter_sums_on` (the overdue
    counter depends on that day's cut-off)."""

    compact_id = models.BigIntegerField(_("compact id"))
    dims = models.PositiveSmallIntegerField()  # internal: the keys grouped by
    forum_code = models.CharField(_("forum"), max_length=40, blank=True)
    entity_type_code = models.CharField(_("entity type"), max_length=40, blank=True)
    # The regions as the filter sees them: ["global"] for a pledge of global scope, the regions
    # of its countries for a regional, national or local one, none otherwise.
    regions = models.JSONField(_("regions"), default=list)
    objective_ids = models.JSONField(_("objective ids"), default=list)
    support_type_ids = models.JSONField(_("types of support"), default=list)
    country = models.CharField(_("country"), max_length=2, blank=True)  # "": every country
    # With `country`: the pledges that benefit both (the country breakdown of a country filter).
    with_country = models.CharField(_("with country"), max_length=2, blank=True)
    unit = models.CharField(_("target unit"), max_length=20, blank=True)  # "": pledge counters
    pledges = _count()
    overdue = _count()
    with_amount = _count()
    unconverted = _count()
    pledged_usd = _sum()
    pledged_n = _count()
    disbursing = _count()
    disbursed_usd = _sum()
    disbursed_n = _count()
    status_not_started = _count()
    status_planning = _count()
    status_in_progress = _count()
    status_fulfilled = _count()
    status_discontinued = _count()
    status_none = _count()
    targets = _count()
    reported = _count()
    target_sum = _sum()
    achieved_sum = _sum()
    met = _count()

    class Meta:
        verbose_name = _("filter sum")
        verbose_name_plural = _("filter sums")
        # A combination reads the rows of one compact and grouping (`dims`) and country; an
        # incremental run finds the rows of a changed pledge's keys, the lists included (without
        # them each of its ~60–90 rows was found among every row of its grouping sharing the
        # other keys: 60–175 ms a pledge at 1,000,000). Not unique: the build would pay for it.
        indexes = [
            models.Index(
                fields=[
                    "compact_id",
                    "dims",
                    "country",
                    "with_country",
                    "unit",
                    "forum_code",
                    "entity_type_code",
                    "regions",
                    "objective_ids",
                    "support_type_ids",
                ],
                name="filter_sum_key_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"filter sum {self.pk} of compact {self.compact_id}"
