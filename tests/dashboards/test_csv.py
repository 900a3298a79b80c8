"""Each chart's CSV holds exactly the rows its data table shows, for the same filters."""

import csv
import io
from typing import Any

import pytest
from django.test import Client

from .conftest import chart_table

pytestmark = pytest.mark.django_db

CHARTS = ["status", "money", "forum", "region", "entity_type", "objectives", "countries"]


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def plain(text: str) -> str:
    """A table cell as its CSV value would be written: no grouping, no unit, no marker."""
    return text.replace(",", "").replace(" (selected)", "").removesuffix(" %")


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("query", ["", "forum=GRF23", "entity_type=ngo&year=2024"])
def test_csv_has_the_columns_and_rows_of_the_table(
    client: Client, world: None, chart: str, query: str
) -> None:
    page = client.get(f"/dashboard/?{query}")
    table = chart_table(page, chart)

    response = client.get(f"/dashboard/csv/{chart}/?{query}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == table.head
    assert len(rows) == len(table.rows)
    assert len(rows) > 0
    # The page links to this very download.
    key = chart
    assert f'href="/dashboard/csv/{key}/?compact=GCR' in page.text


def test_csv_numbers_are_the_numbers_shown(client: Client, world: None) -> None:
    table = chart_table(client.get("/dashboard/?forum=GRF23"), "forum")
    rows = csv_rows(client.get("/dashboard/csv/forum/?forum=GRF23"))[1:]

    assert [[plain(text) for text, _link in row] for row in table.rows] == [
        [name, code, pledges, str(round(float(usd))) if usd else "—", disbursed or "—"]
        for name, code, pledges, usd, disbursed in rows
    ]
    assert rows[0][:3] == ["Global Refugee Forum 2023", "GRF23", "2"]
    assert rows[0][3] == "1500.00"


def test_status_csv_counts_match_the_table(client: Client, world: None) -> None:
    table = chart_table(client.get("/dashboard/"), "status")
    rows = csv_rows(client.get("/dashboard/csv/status/"))[1:]

    assert [(r[0], int(r[1])) for r in rows] == [(row[0][0], int(row[1][0])) for row in table.rows]
    assert dict((r[0], int(r[1])) for r in rows)["Fulfilled"] == 1


def test_csv_of_a_combination_has_its_figures(client: Client, world: None) -> None:
    rows = csv_rows(client.get("/dashboard/csv/status/?forum=GRF23&region=002"))[1:]

    assert sum(int(r[1]) for r in rows) == 1


def test_unknown_chart_is_not_found(client: Client, world: None) -> None:
    assert client.get("/dashboard/csv/nonsense/").status_code == 404


def test_objective_page_csv_matches_its_tables(client: Client, world: None) -> None:
    page = client.get("/dashboard/GCR/objectives/1/")
    table = chart_table(page, "score")

    header, *rows = csv_rows(client.get("/dashboard/GCR/objectives/1/csv/score/"))

    assert header == table.head
    assert [r[0] for r in rows] == ["2024-06-30"]
    assert len(rows) == len(table.rows)
