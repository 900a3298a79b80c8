"""API exports (`?format=csv|xlsx`) carry no live formula: text a spreadsheet would evaluate is
written as text (CSV: a leading apostrophe; XLSX: a text cell), numbers stay numbers."""

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.spreadsheets import safe_cell, safe_cell_sql
from pledges.models import Entity, Pledge

URL = "/api/v1/pledges/"
PAYLOADS = ['=HYPERLINK("http://evil","x")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.fixture
def hostile(make_pledge: Callable[..., Pledge], entity_a: Entity) -> Callable[[str], Pledge]:
    """A published pledge whose title and entity name are `payload`, with an amount."""

    def build(payload: str) -> Pledge:
        Entity.objects.filter(pk=entity_a.pk).update(name=payload)
        entity_a.refresh_from_db()
        return make_pledge(
            title=payload, entity=entity_a, amount=Decimal("1250.50"), currency_id="USD"
        )

    return build


def _csv_row(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response
    text = b"".join(response.streaming_content).decode()
    (row,) = csv.DictReader(io.StringIO(text, newline=""))
    return row


def _xlsx_row(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, row = workbook.active.iter_rows()
    return {h.value: cell for h, cell in zip(header, row, strict=True)}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_export_writes_formula_like_text_with_a_leading_apostrophe(
    api_as: Callable[[str], APIClient], hostile: Callable[[str], Pledge], payload: str
) -> None:
    pledge = hostile(payload)

    row = _csv_row(api_as("anonymous").get(URL, {"format": "csv"}))

    assert row["title"] == "'" + payload
    assert row["entity"] == "'" + payload
    assert row["reference"] == pledge.reference
    assert row["amount"] == "1250.50"  # a number, as it was
    assert row["announced_on"] == pledge.announced_on.isoformat()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_export_writes_formula_like_text_as_text_cells(
    api_as: Callable[[str], APIClient], hostile: Callable[[str], Pledge], payload: str
) -> None:
    hostile(payload)

    row = _xlsx_row(api_as("anonymous").get(URL, {"format": "xlsx"}))

    for column in ("title", "entity"):
        cell = row[column]
        assert cell.data_type == "s"
        # XML reads a carriage return back as a line feed; the text is otherwise unchanged.
        assert cell.value == payload.replace("\r", "\n")
        assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    assert row["amount"].data_type == "n"
    assert row["amount"].value == 1250.5


def test_the_database_neutralises_exactly_the_cells_python_does(db: None) -> None:
    """The CSV that PostgreSQL writes applies the rule of `core.spreadsheets` in SQL."""
    samples = [*PAYLOADS, "-5", "-0.25", "-1e-7", "-1\n", "-٣", "- 1", "plain", "", None]
    sql = f"SELECT {safe_cell_sql('t')} FROM (SELECT %s::text AS t) v"  # noqa: S608 — no input
    with connection.cursor() as cursor:
        for sample in samples:
            cursor.execute(sql, [sample])
            assert cursor.fetchone()[0] == safe_cell(sample), sample
