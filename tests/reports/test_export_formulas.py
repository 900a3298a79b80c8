"""The secretariat's downloads carry no live formula: a title, an entity name, a contact or a
forum name a spreadsheet would evaluate is written as text (CSV: a leading apostrophe; XLSX: a
text cell); counts stay numbers and dates stay dates."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from compacts.models import Compact
from pledges.models import Entity, Pledge

from .conftest import CUTOFF

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://evil","x")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.fixture
def hostile(dataset: dict[str, Any], payload: str) -> dict[str, Any]:
    """p8 (overdue) and p5 (new) titled `payload`, p8's entity and contact named it, and the
    compact too."""
    for name in ("p5", "p8"):
        Pledge.objects.filter(pk=dataset[name].pk).update(
            title=payload, contact_name=payload, contact_email="contact@example.org"
        )
    Entity.objects.filter(pk=dataset["p8"].entity_id).update(name=payload)
    Compact.objects.filter(code="GCR").update(name=payload)
    return dataset


def _assert_text_cell(cell: Any, payload: str, suffix: str = "") -> None:
    assert cell.data_type == "s"
    # XML reads a carriage return back as a line feed; the text is otherwise unchanged.
    assert cell.value == payload.replace("\r", "\n") + suffix
    assert cell.quotePrefix  # Excel keeps it text even when the cell is edited


@pytest.mark.parametrize("payload", PAYLOADS)
def test_overdue_csv_writes_formula_like_text_with_a_leading_apostrophe(
    secretariat_client: Client, hostile: dict[str, Any], today: dt.date, payload: str
) -> None:
    response = secretariat_client.get(reverse("reports:overdue-csv"))

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = {row[0]: row for row in csv.reader(io.StringIO(text, newline=""))}
    p8 = rows[hostile["p8"].reference]
    assert p8[1:3] == ["'" + payload, "'" + payload]
    assert p8[5:8] == [(CUTOFF - dt.timedelta(days=1)).isoformat(), "1", "'" + payload]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_xlsx_writes_formula_like_text_as_text_cells(
    secretariat_client: Client, hostile: dict[str, Any], today: dt.date, payload: str
) -> None:
    response = secretariat_client.get(reverse("reports:report-xlsx"), {"compact": "GCR"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cover = {row[0].value: row for row in workbook["Report"].iter_rows() if row[0].value}
    _assert_text_cell(cover["Compact"][1], payload, " (GCR)")

    new = {row[0].value: row for row in workbook["New pledges"].iter_rows(min_row=2)}
    p5 = new[hostile["p5"].reference]
    _assert_text_cell(p5[1], payload)
    assert p5[4].data_type == "d"
    assert p5[4].value == dt.datetime(2026, 2, 10, 12, 0, tzinfo=dt.UTC).replace(tzinfo=None)

    overdue = {row[0].value: row for row in workbook["Overdue pledges"].iter_rows(min_row=2)}
    p8 = overdue[hostile["p8"].reference]
    for column in (1, 2, 7):  # title, entity, contact name
        _assert_text_cell(p8[column], payload)
    assert p8[5].data_type == "d"
    assert p8[5].value.date() == CUTOFF - dt.timedelta(days=1)
    assert (p8[6].data_type, p8[6].value) == ("n", 1)
