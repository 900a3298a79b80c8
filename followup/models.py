"""The follow-up record of the compacts: the documents that review their implementation (the
GCR indicator reports, the High Commissioner's annual reports to the General Assembly, the
Secretary-General's biennial GCM reports, the IMRF Progress Declaration, forum outcomes and
summaries), linked to the forums, compacts and objectives they concern.

These are records of documents others publish, with their address: the tracker never hosts
them. The shipped ones come from `bootstrap/data/followup_documents.json`; the secretariat adds
new ones in the admin.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact, Objective, OfficialTextMixin
from forums.models import Forum


class DocumentKind(models.TextChoices):
    GCR_INDICATOR_REPORT = "gcr_indicator_report", _("GCR indicator report")
    HC_ANNUAL_REPORT = (
        "hc_annual_report",
        _("Report of the High Commissioner to the General Assembly"),
    )
    SG_GCM_REPORT = "sg_gcm_report", _("Report of the Secretary-General on the GCM")
    IMRF_PROGRESS_DECLARATION = "imrf_progress_declaration", _("IMRF Progress Declaration")
    HLOM_RECOMMENDATIONS = "hlom_recommendations", _("HLOM outcome and recommendations")
    FORUM_OUTCOME = "forum_outcome", _("Forum outcome or summary")
    OTHER = "other", _("Other document")


class UnLanguage(models.TextChoices):
    """The six official languages of the United Nations, with the site's own codes."""

    ARABIC = "ar", _("Arabic")
    CHINESE = "zh-hans", _("Chinese")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    RUSSIAN = "ru", _("Russian")
    SPANISH = "es", _("Spanish")


class DatePrecision(models.TextChoices):
    """How much of `date` is known: some reports give only a month or a year."""

    DAY = "day", _("exact day")
    MONTH = "month", _("month only")
    YEAR = "year", _("year only")


class FollowUpDocumentQuerySet(models.QuerySet["FollowUpDocument"]):
    def for_listing(self) -> "FollowUpDocumentQuerySet":
        """With everything a list shows, in two more queries whatever the number of rows."""
        return self.prefetch_related("forums", "compacts", "objectives__compact")

    def for_forum(self, forum: Forum) -> "FollowUpDocumentQuerySet":
        return self.filter(forums=forum)

    def for_objective(self, objective: Objective) -> "FollowUpDocumentQuerySet":
        return self.filter(objectives=objective)


class FollowUpDocument(OfficialTextMixin):
    """A document of the compacts' follow-up and review, e.g. "Summary of the Global Refugee
    Forum 2023 by the co-hosts and co-convenors" (15 December 2023) or A/76/642."""

    slug = models.SlugField(
        _("code"),
        max_length=80,
        unique=True,
        help_text=_("Stable short name used in links and the API, e.g. gcr-indicator-report-2023."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    symbol = models.CharField(
        _("document symbol"),
        max_length=60,
        blank=True,
        help_text=_("The UN document symbol, e.g. A/76/642; empty when it has none."),
    )
    title = models.CharField(_("title"), max_length=500)
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("Store the first day of the month or year when only that is known."),
    )
    languages = ArrayField(
        models.CharField(max_length=7, choices=UnLanguage.choices),
        verbose_name=_("languages"),
        default=list,
        blank=True,
        help_text=_("The UN languages the document is published in."),
    )
    url = models.URLField(_("address"), max_length=500)
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_(
            "Where the symbol, title and date were checked (URL); required for shipped rows."
        ),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("What could not be confirmed, or other remarks.")
    )
    is_reference = models.BooleanField(
        _("shipped"),
        default=False,
        help_text=_("Shipped with the reference data (bootstrap/data/followup_documents.json)."),
    )
    forums = models.ManyToManyField(
        Forum, blank=True, related_name="followup_documents", verbose_name=_("forums")
    )
    compacts = models.ManyToManyField(
        Compact, blank=True, related_name="followup_documents", verbose_name=_("compacts")
    )
    objectives = models.ManyToManyField(
        Objective,
        blank=True,
        related_name="followup_documents",
        verbose_name=_("objectives addressed"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = models.Manager.from_queryset(FollowUpDocumentQuerySet)()

    class Meta:
        ordering = [models.F("date").desc(nulls_last=True), "title", "id"]
        verbose_name = _("follow-up document")
        verbose_name_plural = _("follow-up documents")
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="document_has_title"),
            models.CheckConstraint(
                condition=models.Q(is_reference=False) | ~models.Q(source=""),
                name="document_reference_has_source",
            ),
            models.CheckConstraint(
                condition=models.Q(languages__contained_by=UnLanguage.values),
                name="document_languages_are_un",
            ),
            models.CheckConstraint(
                condition=models.Q(date_precision__in=DatePrecision.values),
                name="document_date_precision_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DocumentKind.values), name="document_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} — {self.title}" if self.symbol else self.title

    @property
    def language_names(self) -> list[str]:
        """The languages by name, in the UN's order (Arabic, Chinese, English…)."""
        return [str(label) for value, label in UnLanguage.choices if value in self.languages]
