"""Indicator framework editions and indicator report editions (issue 18, items 6 and 7).

Existing indicators move to the edition named by their old `framework_version` (the GCR's "2022"
and "2019" get the shipped edition rows, so that `load_reference_data` finds them unchanged);
existing values whose source names a GCR indicator report ("Indicator Report 2023") are
assigned to that report edition, every other value (the secretariat's own, generated demo
values) keeps no report, as before. Going back keeps, per indicator, country and year, only
the value progress used (the latest report's), and per compact and code only the newest
edition's indicator.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

# The shipped rows as of this migration (bootstrap/data/indicator_frameworks.json).
GCR_EDITIONS = {
    "2019": {
        "slug": "gcr-2019",
        "year": 2019,
        "title": "Global Compact on Refugees: Indicator Framework (July 2019)",
        "indicator_count": 15,
        "url": "https://globalcompactrefugees.org/about/global-compact-refugees/global-compact-refugees-indicator-report",
        "source": 'Title and date: UNHCR, "Global Compact on Refugees: Indicator Framework", '
        "July 2019 (a public copy of the document: "
        "https://documents.pub/document/global-compact-on-refugees-unhcr-glob-pac-efug-ees-nd-icato-r-framewo-rk-5-1.html). "
        "15 indicators: UNHCR, Indicator Report 2021, "
        'https://www.unhcr.org/indicator-report-2021 ("the GCR indicator framework '
        'published by UNHCR in 2019, which is composed of 15 indicators"). Its '
        "indicators' codes and titles are not shipped: they could not be checked "
        "against the document's text.",
    },
    "2022": {
        "slug": "gcr-2022",
        "year": 2022,
        "title": "Global Compact on Refugees Indicator Framework, second edition (2022)",
        "indicator_count": 16,
        "url": "https://globalcompactrefugees.org/about/global-compact-refugees/global-compact-refugees-indicator-report",
        "source": "Second edition, refined in 2022 after the first indicator report and the "
        "High-Level Officials Meeting of December 2021: "
        "https://globalcompactrefugees.org/about/global-compact-refugees/global-compact-refugees-indicator-report "
        '("Indicator Framework 2022"). 16 indicators: UNHCR, Indicator Report '
        '2025, https://www.unhcr.org/node/31398 ("draws on data from the 16 GCR '
        'indicators").',
    },
}
GCR_REPORTS = {
    2021: {
        "year": 2021,
        "title": "Global Compact on Refugees Indicator Report 2021",
        "published_month": 11,
        "url": "https://www.unhcr.org/indicator-report-2021",
        "source": "First edition, published in November 2021 before the High-Level Officials "
        "Meeting: "
        "https://www.unhcr.org/what-we-do/reports-and-publications/data-and-statistics/indicator-report-2023. "
        "Measures progress with the 2019 framework of 15 indicators: "
        "https://www.unhcr.org/indicator-report-2021.",
        "edition": "gcr-2019",
    },
    2023: {
        "year": 2023,
        "title": "Global Compact on Refugees Indicator Report 2023",
        "published_month": 11,
        "url": "https://www.unhcr.org/what-we-do/reports-and-publications/data-and-statistics/indicator-report-2023",
        "source": "Second edition, published in November 2023 ahead of the Global Refugee "
        "Forum 2023: "
        "https://globalcompactrefugees.org/about/global-compact-refugees/global-compact-refugees-indicator-report. "
        "Based on the 2022 edition of the framework, the edition in force since 2022 "
        "(inferred from the same page; the report's own text was not read).",
        "edition": "gcr-2022",
    },
    2025: {
        "year": 2025,
        "title": "Global Compact on Refugees Indicator Report 2025",
        "url": "https://www.unhcr.org/node/31398",
        "source": "Third edition, 2025; draws on data from the 16 GCR indicators and informs "
        "the GRF Progress Review of December 2025: https://www.unhcr.org/node/31398. "
        "Month of publication not given by the source.",
        "edition": "gcr-2022",
    },
}
OLD_SHIPPED_DESCRIPTION = "GCR indicator framework, 2022 refinement (confirm code and title)."
NEW_SHIPPED = {
    "description": "GCR indicator framework, 2022 edition.",
    "source_url": "https://globalcompactrefugees.org/about/global-compact-refugees/global-compact-refugees-indicator-report",
    "confirmed": False,
    "confirmation_note": "Code, title and unit are not yet checked against the published text of "
    "the 2022 framework; confirm them before relying on them.",
}
REPORT_IN_SOURCE = re.compile(r"indicator\s+report\D{0,4}(20\d\d)", re.IGNORECASE)


def _check_now(schema_editor):
    """Run the deferred foreign-key checks of the rows written above now: PostgreSQL creates no
    index on a table with pending trigger events, and the constraints below add indexes."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def forwards(apps, schema_editor):
    Compact = apps.get_model("compacts", "Compact")
    Edition = apps.get_model("indicators", "FrameworkEdition")
    Report = apps.get_model("indicators", "ReportEdition")
    Indicator = apps.get_model("indicators", "Indicator")
    Value = apps.get_model("indicators", "IndicatorValue")
    compacts = {c.pk: c for c in Compact.objects.all()}
    editions = {}

    def edition(compact, version):
        key = (compact.pk, version)
        if key not in editions:
            shipped = GCR_EDITIONS.get(version) if compact.code == "GCR" else None
            if shipped is not None:
                values = dict(shipped)
            elif version.isdigit():
                values = {
                    "slug": f"{compact.code.lower()}-{version}",
                    "title": f"{compact.code} indicator framework {version}",
                    "year": int(version),
                }
            else:
                editions[key] = None  # not a year: the indicator keeps no edition
                return None
            editions[key], _created = Edition.objects.get_or_create(
                compact=compact, year=values["year"], defaults=values
            )
        return editions[key]

    for indicator in Indicator.objects.all():
        indicator.edition = edition(compacts[indicator.compact_id], indicator.framework_version)
        if indicator.description == OLD_SHIPPED_DESCRIPTION and indicator.edition is not None:
            for name, value in NEW_SHIPPED.items():
                setattr(indicator, name, value)
        indicator.save()

    reports = {}
    for value in Value.objects.select_related("indicator__compact").exclude(source=""):
        found = REPORT_IN_SOURCE.search(value.source)
        compact = value.indicator.compact
        if not found or compact.code != "GCR" or int(found[1]) not in GCR_REPORTS:
            continue
        year = int(found[1])
        if year not in reports:
            shipped = dict(GCR_REPORTS[year])
            slug = shipped.pop("edition")
            version = next(v for v, e in GCR_EDITIONS.items() if e["slug"] == slug)
            reports[year], _created = Report.objects.get_or_create(
                framework=edition(compact, version), year=year, defaults=shipped
            )
        value.report = reports[year]
        value.save(update_fields=["report"])
    _check_now(schema_editor)


def backwards(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Value = apps.get_model("indicators", "IndicatorValue")
    codes = set()
    # Newest edition first: the old schema holds one indicator per compact and code, and keeps
    # the one progress used (an older edition's namesake goes, with its values).
    order = (models.F("edition__year").desc(nulls_first=True), "pk")
    for indicator in Indicator.objects.select_related("edition").order_by(*order):
        if (indicator.compact_id, indicator.code) in codes:
            indicator.delete()
            continue
        codes.add((indicator.compact_id, indicator.code))
        indicator.framework_version = str(indicator.edition.year) if indicator.edition else "2022"
        indicator.save(update_fields=["framework_version"])
    seen = set()
    order = ("-year", models.F("report__year").desc(nulls_last=True), "-pk")
    for value in Value.objects.order_by("indicator_id", "country_id", *order):
        key = (value.indicator_id, value.country_id, value.year)
        if key in seen:
            value.delete()  # an earlier report's value: the old schema has room for one
        else:
            seen.add(key)
    _check_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0004_compact_texts_in_six_languages"),
        ("core", "0005_currency_names_in_six_languages"),
        ("indicators", "0007_msp_progress_snapshot"),
    ]

    operations = [
        migrations.CreateModel(
            name="FrameworkEdition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=40, unique=True, verbose_name="slug")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "indicator_count",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="How many indicators the edition defines, as its source says.",
                        null=True,
                        verbose_name="indicators published",
                    ),
                ),
                ("url", models.URLField(blank=True, max_length=500, verbose_name="address")),
                ("source", models.TextField(blank=True, verbose_name="source")),
            ],
            options={
                "verbose_name": "indicator framework edition",
                "verbose_name_plural": "indicator framework editions",
                "ordering": ["compact__code", "year"],
            },
        ),
        migrations.CreateModel(
            name="ReportEdition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                (
                    "published_month",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="1–12; empty when the source gives only the year.",
                        null=True,
                        verbose_name="month published",
                    ),
                ),
                ("url", models.URLField(blank=True, max_length=500, verbose_name="address")),
                ("source", models.TextField(blank=True, verbose_name="source")),
            ],
            options={
                "verbose_name": "indicator report edition",
                "verbose_name_plural": "indicator report editions",
                "ordering": ["framework__compact__code", "year"],
            },
        ),
        migrations.AlterModelOptions(
            name="indicator",
            options={
                "ordering": ["compact__code", "edition__year", "code"],
                "verbose_name": "indicator",
                "verbose_name_plural": "indicators",
            },
        ),
        migrations.AddField(
            model_name="indicator",
            name="confirmation_note",
            field=models.TextField(blank=True, verbose_name="what is not confirmed"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="confirmed",
            field=models.BooleanField(default=False, verbose_name="confirmed against the source"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="source_url",
            field=models.URLField(blank=True, max_length=500, verbose_name="source address"),
        ),
        migrations.AddField(
            model_name="frameworkedition",
            name="compact",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="frameworks",
                to="compacts.compact",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="edition",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="indicators",
                to="indicators.frameworkedition",
                verbose_name="framework edition",
            ),
        ),
        migrations.AddField(
            model_name="reportedition",
            name="framework",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="indicators.frameworkedition",
            ),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="report",
            field=models.ForeignKey(
                blank=True,
                help_text="The indicator report that published the value; empty for other sources.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="values",
                to="indicators.reportedition",
                verbose_name="report edition",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="indicator",
            name="indicator_code_unique_per_compact",
        ),
        migrations.RemoveConstraint(
            model_name="indicatorvalue",
            name="indicator_value_unique_per_country_year",
        ),
        migrations.RemoveConstraint(
            model_name="indicatorvalue",
            name="indicator_value_unique_global_year",
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="indicator",
            name="framework_version",
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(
                condition=models.Q(("edition__isnull", True)),
                fields=("compact", "code"),
                name="indicator_code_unique_per_compact",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(
                fields=("edition", "code"), name="indicator_code_unique_per_edition"
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                condition=models.Q(("country__isnull", False)),
                fields=("indicator", "country", "year", "report"),
                name="indicator_value_unique_per_country_year",
                nulls_distinct=False,
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                condition=models.Q(("country__isnull", True)),
                fields=("indicator", "year", "report"),
                name="indicator_value_unique_global_year",
                nulls_distinct=False,
            ),
        ),
        migrations.AddConstraint(
            model_name="frameworkedition",
            constraint=models.UniqueConstraint(
                fields=("compact", "year"), name="framework_edition_unique_year"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportedition",
            constraint=models.UniqueConstraint(
                fields=("framework", "year"), name="report_edition_unique_year"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportedition",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("published_month__isnull", True),
                    models.Q(("published_month__gte", 1), ("published_month__lte", 12)),
                    _connector="OR",
                ),
                name="report_edition_month_valid",
            ),
        ),
    ]
