"""The one rule for spreadsheet cells (core/spreadsheets.py): formula-like text is neutralised,
numbers (negative ones too), plain numeric text and dates are left as they are."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from core.spreadsheets import safe_cell, safe_row, xlsx_row

FORMULA_LIKE = ['=HYPERLINK("http://evil","x")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-"]
LEFT_AS_THEY_ARE = [
    -5,
    Decimal("-2.50"),
    -0.25,
    dt.date(2024, 1, 2),
    None,
    "-5",
    "-12.50",
    "-1E+1",
    "Plain text",
    "",
    "a=b",
    "#1 priority",
]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_formula_like_text_gets_a_leading_apostrophe_in_csv(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert safe_row([text, 1]) == ["'" + text, 1]


@pytest.mark.parametrize("value", LEFT_AS_THEY_ARE)
def test_numbers_dates_and_harmless_text_are_left_as_they_are(value: object) -> None:
    assert safe_cell(value) == value
    assert safe_row([value]) == [value]


def test_a_lazy_translation_is_checked_as_its_text() -> None:
    assert safe_row([gettext_lazy("-1+1")]) == ["'-1+1"]


def _written(values: list[object]) -> list[object]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cells")
    sheet.append(xlsx_row(sheet, values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return list(next(load_workbook(io.BytesIO(buffer.getvalue()))["cells"].iter_rows()))


def test_xlsx_text_is_text_numbers_numbers_and_dates_dates() -> None:
    cells = _written(
        [*FORMULA_LIKE, "-5", "#N/A", -5, Decimal("-2.50"), dt.date(2024, 1, 2), "plain"]
    )

    *formulas, numeric_text, error_like, integer, decimal, date, plain = cells
    for cell, text in zip(formulas, FORMULA_LIKE, strict=True):
        assert (cell.data_type, cell.value, cell.quotePrefix) == (
            "s",
            text.replace("\r", "\n"),  # XML reads a carriage return back as a line feed
            True,
        )
    assert (numeric_text.data_type, numeric_text.value) == ("s", "-5")
    assert (error_like.data_type, error_like.value) == ("s", "#N/A")
    assert (integer.data_type, integer.value) == ("n", -5)
    assert (decimal.data_type, decimal.value) == ("n", -2.5)
    assert (date.data_type, date.value) == ("d", dt.datetime(2024, 1, 2))  # noqa: DTZ001
    assert (plain.data_type, plain.value, plain.quotePrefix) == ("s", "plain", False)


def test_xlsx_drops_control_characters_xml_cannot_hold() -> None:
    (cell,) = _written(["Line\x0bbreak\x00"])

    assert cell.value == "Linebreak"


def test_a_csv_reader_reads_the_neutralised_text_back() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(["\r=1", "-5", -5]))

    assert next(csv.reader(io.StringIO(buffer.getvalue(), newline=""))) == ["'\r=1", "-5", "-5"]


def test_streamed_workbook_shows_times_in_the_sites_zone_on_either_side_of_a_clock_change() -> None:
    """Spreadsheets have no time zones: `core.xlsx` writes an aware datetime as the site's
    wall-clock time at that instant (summer and winter offsets alike), a naive one as it is."""
    import tempfile
    from zoneinfo import ZoneInfo

    from core.xlsx import StreamingWorkbook

    utc = dt.UTC

    def naive(*parts: int) -> dt.datetime:
        return dt.datetime(*parts, tzinfo=utc).replace(tzinfo=None)

    written = [
        dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=utc),  # 01:59:59 CET
        dt.datetime(2026, 3, 29, 1, 0, tzinfo=utc),  # 03:00 CEST
        dt.datetime(2026, 7, 1, 12, 30, 15, 250000, tzinfo=ZoneInfo("Asia/Tokyo")),
        naive(1999, 12, 31, 23, 0),
    ]
    with tempfile.TemporaryFile() as handle:
        workbook = StreamingWorkbook(handle, ZoneInfo("Europe/Zurich"))
        workbook.sheet("Times", [[value] for value in written])
        workbook.close()
        handle.seek(0)
        read = [row[0] for row in load_workbook(handle).active.iter_rows(values_only=True)]

    assert read == [
        naive(2026, 3, 29, 1, 59, 59),
        naive(2026, 3, 29, 3, 0),
        naive(2026, 7, 1, 5, 30, 15, 250000),  # (to the millisecond: Excel keeps no more)
        naive(1999, 12, 31, 23, 0),
    ]


def _streamed(rows: list[list[object]], zone: dt.tzinfo) -> list[tuple[object, ...]]:
    import tempfile

    from core.xlsx import StreamingWorkbook

    with tempfile.TemporaryFile() as handle:
        workbook = StreamingWorkbook(handle, zone)
        workbook.sheet("Cells", rows)
        workbook.close()
        handle.seek(0)
        return list(load_workbook(handle).active.iter_rows(values_only=True))


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC"])
def test_streamed_workbook_in_utc_shows_the_instant_itself(zone: str) -> None:
    from zoneinfo import ZoneInfo

    instant = dt.datetime(2026, 7, 1, 12, 30, 15, 250000, tzinfo=ZoneInfo("Asia/Tokyo"))

    in_utc = instant.astimezone(dt.UTC).replace(tzinfo=None)

    assert in_utc.hour == 3
    assert _streamed([[instant]], ZoneInfo(zone)) == [(in_utc,)]


def test_streamed_workbook_keeps_xml_special_characters_as_text() -> None:
    texts = ["Food & shelter", "<b>not markup</b>", "a > b & c < d", "plain"]

    assert _streamed([texts], dt.UTC) == [tuple(texts)]
