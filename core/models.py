"""Shared building blocks with no domain logic: timestamps, ISO reference tables and exchange
rates.

Countries and currencies are tables rather than free codes so that the database itself refuses an
unknown ISO 3166 or ISO 4217 code (a foreign key), and so that aggregations can group by UN M49
region in SQL.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Region(models.TextChoices):
    """UN M49 macro-regions (the code is the M49 numeric code)."""

    AFRICA = "002", _("Africa")
    AMERICAS = "019", _("Americas")
    ASIA = "142", _("Asia")
    EUROPE = "150", _("Europe")
    OCEANIA = "009", _("Oceania")


class Country(models.Model):
    """A country or territory in ISO 3166-1 (and Kosovo, XK, as the UN lists it), named as the
    UN names it, with its UN M49 region for regional slices."""

    code = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, primary_key=True)
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=3, choices=Region.choices, blank=True)
    subregion = models.CharField(_("sub-region"), max_length=100, blank=True)
    # Shown wherever the name is listed, as the UN does (Kosovo: Security Council res. 1244).
    footnote = models.CharField(_("footnote"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2}$"), name="country_code_iso_alpha2"
            ),
            models.CheckConstraint(
                condition=models.Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Currency(models.Model):
    """A currency in ISO 4217, in which a pledge's amount may be stated."""

    code = models.CharField(_("ISO 4217 code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{3}$"), name="currency_code_iso4217"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ExchangeRate(models.Model):
    """How many US dollars one unit of a currency was worth on a date.

    Kept next to `Currency` so that every app may read rates (the USD conversion rule in
    `pledges.models.usd_rate_sql`); writes go through `indicators.services`, since a rate moves
    every progress figure."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates")
    date = models.DateField(_("date"))
    usd_per_unit = models.DecimalField(_("USD per unit"), max_digits=20, decimal_places=10)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["currency_id", "-date"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchange_rate_unique"),
            models.CheckConstraint(
                condition=models.Q(usd_per_unit__gt=0), name="exchange_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.date}: {self.usd_per_unit} USD"


class AuditEntry(models.Model):
    """Something a person (or a job) did to a record: a review decision, a membership approval…

    Written explicitly by services through `core.audit.record_change`, never by signals, so that
    commands and tasks leave the same trail as web requests. Field-level before/after values of
    pledges are kept by django-simple-history; this log holds the actions and their reasons.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64)
    action = models.CharField(_("action"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="audit_object_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.content_type_id}:{self.object_id}"
