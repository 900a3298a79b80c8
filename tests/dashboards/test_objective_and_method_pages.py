"""The objective progress page (official text, components and weights, indicators over time)
and the method page rendered from docs/progress.md."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from compacts.models import Objective
from indicators.models import Indicator, IndicatorValue

from .conftest import chart_table, tables

pytestmark = pytest.mark.django_db


def test_objective_page_shows_official_text_components_and_weights(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/GCR/objectives/1/")

    assert response.status_code == 200
    objective = Objective.objects.get(compact__code="GCR", number=1)
    assert f"{objective.short_label}</h1>" in response.text
    assert f'<blockquote class="official-text"><p>{objective.title}</p>' in response.text
    components = {row[0][0]: row for row in _components(response)}
    # Two pledges, in progress (0.5) and fulfilled (1): implementation 0.75.
    assert components["Implementation"][1][0] == "75.0 %"
    assert components["Implementation"][2][0] == "0.4"
    assert components["Implementation"][3][0] == "yes"
    assert components["Indicators"][3][0] == "no — no data"
    assert 'href="/dashboard/method/#the-figures"' in response.text
    assert 'href="/pledges/?objective=GCR-1">2 published pledges</a>' in response.text


def _components(response: Any) -> list[Any]:
    return tables(response.content.decode())["components-caption"].rows


def test_objective_page_lists_indicator_values_over_time(client: Client, world: None) -> None:
    indicator = Indicator.objects.filter(objective__compact__code="GCR", objective__number=1)[0]
    for year, value in [(2022, "10"), (2023, "15")]:
        IndicatorValue.objects.create(
            indicator=indicator, year=year, value=Decimal(value), source="UNHCR"
        )

    table = chart_table(client.get("/dashboard/GCR/objectives/1/"), f"indicator-{indicator.code}")

    assert [(r[0][0], r[1][0]) for r in table.rows] == [("2022", "10"), ("2023", "15")]


def test_objective_page_without_snapshots_says_how_to_compute(
    client: Client, reference_data: None
) -> None:
    response = client.get("/dashboard/GCM/objectives/23/")

    assert response.status_code == 200
    assert "No progress has been computed for this objective yet." in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/XYZ/objectives/1/",
        "/dashboard/GCR/objectives/5/",
        "/dashboard/GCR/objectives/0/",
        "/dashboard/GCR/objectives/1/csv/nonsense/",
    ],
)
def test_unknown_compact_objective_or_chart_is_not_found(
    client: Client, world: None, url: str
) -> None:
    assert client.get(url).status_code == 404


def test_public_objective_page_links_to_its_progress(client: Client, world: None) -> None:
    response = client.get("/objectives/GCR/1/")

    assert 'href="/dashboard/GCR/objectives/1/">Progress and indicators →</a>' in response.text


def test_method_page_renders_docs_progress_with_its_tables(client: Client, db: None) -> None:
    response = client.get("/dashboard/method/")

    assert response.status_code == 200
    assert '<h1 id="how-progress-is-computed">How progress is computed</h1>' in response.text
    assert '<h2 id="the-figures">The figures</h2>' in response.text
    assert "<table>" in response.text
    assert "<td><code>implementation_score</code></td>" in response.text
    assert (Path(settings.BASE_DIR) / "docs" / "progress.md").exists()
