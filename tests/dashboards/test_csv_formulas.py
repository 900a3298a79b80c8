"""A chart's CSV carries no live formula: a name a spreadsheet would evaluate is written as text
(a leading apostrophe); counts and amounts stay numbers."""

import csv
import io

import pytest
from django.test import Client

from forums.models import Forum

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://evil","x")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_forum_csv_writes_a_formula_like_name_as_text(
    client: Client, world: None, payload: str
) -> None:
    Forum.objects.filter(code="GRF23").update(name=payload)

    response = client.get("/dashboard/csv/forum/?forum=GRF23")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["GRF23"][:4] == ["'" + payload, "GRF23", "2", "1500.00"]
    assert by_code["GRF19"][0] == "Global Refugee Forum 2019"
