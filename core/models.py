"""Shared building blocks with no domain logic: timestamps and ISO reference tables.

Countries and currencies are tables rather than free codes so that the database itself refuses an
unknown ISO 3166 or ISO 4217 code (a foreign key), and so that aggregations can group by UN M49
region in SQL.
"""

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
    """A country or territory in ISO 3166-1, with its UN M49 region for regional slices."""

    code = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, primary_key=True)
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=3, choices=Region.choices, blank=True)
    subregion = models.CharField(_("sub-region"), max_length=100, blank=True)

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
