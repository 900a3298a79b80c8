"""The indicator framework and its reports, as published (issue 18, items 6 and 7): framework
editions side by side, report editions as records, values per report edition (a later report's
revision keeps the earlier value; progress uses the latest), and the pages that show them."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bootstrap.reference import DATA_DIR
from compacts.models import Objective
from indicators import engine
from indicators.models import (
    FrameworkEdition,
    Indicator,
    IndicatorValue,
    ReportEdition,
    SliceKind,
)
from indicators.services import save_indicator_value, save_report_edition

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def report(year: int) -> ReportEdition:
    return ReportEdition.objects.get(framework__compact__code="GCR", year=year)


def resettled() -> Indicator:
    return Indicator.objects.get(edition__slug="gcr-2022", code="3.1.1")


def value(indicator: Indicator, year: int, amount: str, *, report_year: int | None) -> None:
    save_indicator_value(
        value=IndicatorValue(
            indicator=indicator,
            year=year,
            value=Decimal(amount),
            report=report(report_year) if report_year else None,
            source=f"GCR Indicator Report {report_year}" if report_year else "Secretariat",
        )
    )


def indicator_figures(number: int) -> dict:
    objective = Objective.objects.get(compact__code="GCR", number=number)
    figures = engine.compute_objectives([objective.pk], on=dt.date(2026, 6, 30))
    overall = figures[(objective.pk, SliceKind.OVERALL, "")]
    return {row["code"]: row for row in overall["indicators"]}


# --- what ships ---------------------------------------------------------------------------


def test_both_framework_editions_ship_with_the_counts_their_sources_give(
    reference_data: None,
) -> None:
    editions = {
        e.slug: (e.year, e.indicator_count, e.indicators.count())
        for e in FrameworkEdition.objects.all()
    }

    # 2019: 15 indicators published, none shipped (codes and titles could not be confirmed);
    # 2022: 16 published, the 12 the tracker shipped before, each marked unconfirmed.
    assert editions == {"gcr-2019": (2019, 15, 0), "gcr-2022": (2022, 16, 12)}
    assert not Indicator.objects.filter(confirmed=True).exists()
    assert not Indicator.objects.filter(confirmation_note="").exists()


def test_the_three_indicator_reports_are_records_of_their_edition(reference_data: None) -> None:
    reports = {
        r.year: (r.framework.slug, r.published_month)
        for r in ReportEdition.objects.select_related("framework")
    }

    assert reports == {2021: ("gcr-2019", 11), 2023: ("gcr-2022", 11), 2025: ("gcr-2022", None)}
    assert report(2021).url == "https://www.unhcr.org/indicator-report-2021"


def test_every_shipped_row_names_its_source() -> None:
    editions = json.loads((DATA_DIR / "indicator_frameworks.json").read_text())
    indicators = json.loads((DATA_DIR / "indicators.json").read_text())
    reports = [r for e in editions for r in e["reports"]]

    for row in [*editions, *reports]:
        assert row["url"].startswith("https://"), row["title"]
        assert "https://" in row["source"], row["title"]
    for row in indicators:
        assert row["source_url"].startswith("https://"), row["code"]
        # An unconfirmed row says what is not confirmed.
        assert row["confirmed"] or row["confirmation_note"], row["code"]
    assert len(reports) == 3


def test_loading_twice_changes_nothing_and_update_restores_shipped_values(
    reference_data: None,
) -> None:
    second = load()
    assert "Indicator framework editions: 0 created, 0 updated, 2 unchanged" in second
    assert "Indicator report editions: 0 created, 0 updated, 3 unchanged" in second
    assert "Indicators: 0 created, 0 updated, 12 unchanged" in second

    FrameworkEdition.objects.filter(slug="gcr-2022").update(indicator_count=99)
    ReportEdition.objects.filter(year=2023).update(url="https://example.org/wrong")
    Indicator.objects.filter(code="3.1.1").update(confirmation_note="")

    kept = load()
    assert FrameworkEdition.objects.get(slug="gcr-2022").indicator_count == 99
    assert "Indicator report editions: 0 created, 0 updated, 3 unchanged (1 differs" in kept

    load("--update")
    assert FrameworkEdition.objects.get(slug="gcr-2022").indicator_count == 16
    assert report(2023).url.startswith("https://www.unhcr.org/")
    assert "not yet checked" in resettled().confirmation_note


# --- values per report edition -------------------------------------------------------------


def test_a_revised_value_keeps_the_earlier_one_and_progress_uses_the_latest_report(
    reference_data: None,
) -> None:
    indicator = resettled()
    Indicator.objects.filter(pk=indicator.pk).update(
        baseline_value=Decimal("100000"), baseline_year=2016, target_value=Decimal("200000")
    )
    value(indicator, 2022, "114300", report_year=2023)
    value(indicator, 2022, "116500", report_year=2025)  # the 2025 report revised 2022

    kept = IndicatorValue.objects.filter(indicator=indicator, year=2022)
    assert sorted(kept.values_list("report__year", "value")) == [
        (2023, Decimal("114300")),
        (2025, Decimal("116500")),
    ]
    figures = indicator_figures(3)["3.1.1"]
    assert (figures["latest"], figures["latest_year"]) == ("116500.0000", 2022)
    assert figures["progress"] == "0.1650"  # (116,500 − 100,000) ÷ (200,000 − 100,000)


def test_a_report_value_comes_before_another_source_of_the_same_year(
    reference_data: None,
) -> None:
    indicator = resettled()
    value(indicator, 2023, "150000", report_year=None)
    value(indicator, 2023, "158700", report_year=2025)

    assert indicator_figures(3)["3.1.1"]["latest"] == "158700.0000"


def test_only_the_latest_editions_indicators_count_for_progress(reference_data: None) -> None:
    older = Indicator.objects.create(
        compact=resettled().compact,
        objective=resettled().objective,
        edition=FrameworkEdition.objects.get(slug="gcr-2019"),
        code="3.1.1",
        title="Older wording",
        unit="persons",
    )
    IndicatorValue.objects.create(indicator=older, year=2020, value=1, source="Report 2021")

    codes = [row["code"] for row in indicator_figures(3).values()]

    assert codes.count("3.1.1") == 1
    assert indicator_figures(3)["3.1.1"]["latest"] is None  # the 2019 edition's value is not used
    assert older not in Indicator.objects.counting()


def test_a_new_report_edition_marks_the_objectives_whose_values_it_may_reorder(
    reference_data: None,
) -> None:
    value(resettled(), 2022, "114300", report_year=2023)
    Objective.objects.update(progress_stale_since=None)

    edition = report(2025)
    edition.published_month = 12
    save_report_edition(report=edition)

    stale = Objective.objects.filter(progress_stale_since__isnull=False)
    assert list(stale.values_list("compact__code", "number")) == [("GCR", 3)]


# --- pages ---------------------------------------------------------------------------------


def test_the_history_page_shows_each_report_editions_value_of_a_year(
    client: Client, reference_data: None
) -> None:
    indicator = resettled()
    value(indicator, 2022, "114300", report_year=2023)
    value(indicator, 2022, "116500", report_year=2025)
    value(indicator, 2020, "34400", report_year=2023)

    page = client.get(
        reverse("indicators:indicator", kwargs={"edition": "gcr-2022", "code": "3.1.1"})
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "Global Compact on Refugees Indicator Report 2023" in html
    assert "Global Compact on Refugees Indicator Report 2025" in html
    row_2022 = html[
        html.index('<th scope="row">2022</th>') : html.index("</tr>", html.index(">2022<"))
    ]
    assert "114,300" in row_2022
    assert "116,500" in row_2022
    assert "used for progress" in row_2022
    # The earlier report's 2022 value is shown, not used: it comes first, without the badge.
    assert row_2022.index("114,300") < row_2022.index("116,500") < row_2022.index("used for")
    assert "34,400" in html
    assert "Not confirmed:" in html
    assert "not yet checked" in html


def test_the_history_page_says_when_no_value_is_recorded(
    client: Client, reference_data: None
) -> None:
    page = client.get(
        reverse("indicators:indicator", kwargs={"edition": "gcr-2022", "code": "4.2.1"})
    )

    assert "No value of this indicator is recorded yet." in page.content.decode()


def test_an_indicator_is_found_by_edition_and_code(client: Client, reference_data: None) -> None:
    missing = client.get(
        reverse("indicators:indicator", kwargs={"edition": "gcr-2019", "code": "3.1.1"})
    )

    assert missing.status_code == 404


def test_the_framework_page_lists_editions_indicators_and_reports(
    client: Client, reference_data: None
) -> None:
    html = client.get(reverse("indicators:framework")).content.decode()

    assert "The edition defines 15 indicators. 0 are recorded here." in html
    assert "The edition defines 16 indicators. 12 are recorded here." in html
    assert "No indicator of this edition is recorded" in html
    assert html.count("not confirmed") == 12
    assert "Global Compact on Refugees Indicator Report 2021</a> (November 2021)" in html
    assert "Global Compact on Refugees Indicator Report 2025</a> (2025)" in html
    assert reverse("indicators:indicator", kwargs={"edition": "gcr-2022", "code": "2.2.2"}) in html


def test_the_objective_dashboard_shows_one_value_a_year_and_links_the_history(
    client: Client, reference_data: None
) -> None:
    value(resettled(), 2022, "114300", report_year=2023)
    value(resettled(), 2022, "116500", report_year=2025)

    html = client.get(
        reverse("dashboards:objective", kwargs={"compact": "GCR", "number": 3})
    ).content.decode()

    assert reverse("indicators:indicator", kwargs={"edition": "gcr-2022", "code": "3.1.1"}) in html
    assert "116,500" in html
    assert "114,300" not in html


# --- API -----------------------------------------------------------------------------------


def test_the_api_names_the_edition_of_an_indicator_and_the_report_of_a_value(
    client: Client, reference_data: None
) -> None:
    value(resettled(), 2022, "114300", report_year=2023)
    value(resettled(), 2022, "116500", report_year=2025)

    indicators = client.get("/api/v1/indicators/?edition=gcr-2022&code=3.1.1").json()["results"]
    values = client.get("/api/v1/indicator-values/?compact=GCR&indicator=3.1.1&report=2023").json()

    (found,) = indicators
    assert found["edition"] == "gcr-2022"
    assert found["framework_version"] == "2022"  # as before editions existed
    assert (found["confirmed"], found["counts_for_progress"]) == (False, True)
    (only,) = values["results"]
    assert only["value"] == "114300.0000"
    assert only["report"] == 2023
    assert only["report_title"] == "Global Compact on Refugees Indicator Report 2023"
    assert only["indicator"]["edition"] == "gcr-2022"


def test_generated_demo_values_stay_labelled_beside_the_reports_values(
    client: Client, reference_data: None
) -> None:
    from bootstrap.demo.words import DEMO_SOURCE

    IndicatorValue.objects.create(
        indicator=resettled(), year=2022, value=Decimal("99000"), source=DEMO_SOURCE
    )
    value(resettled(), 2022, "114300", report_year=2023)

    html = client.get(
        reverse("indicators:indicator", kwargs={"edition": "gcr-2022", "code": "3.1.1"})
    ).content.decode()

    assert "Other sources" in html
    assert DEMO_SOURCE in html
    # The report's value is the one progress uses, not the generated one.
    assert indicator_figures(3)["3.1.1"]["latest"] == "114300.0000"
