"""Real exports are messy: each shape below is read, or refused with a message, never a 500."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from imports.readers import UnreadableFile, detect_encoding, read_table, sheet_names
from imports.services import ImportRefused, run_import
from imports.values import BadValue, amount, date
from pledges.models import Pledge

from .conftest import sample

HEADERS = [
    "Pledge ID",
    "Compact",
    "Forum",
    "Title",
    "Description",
    "Submitting entity",
    "Objectives",
    "Beneficiary countries",
    "Amount",
    "Currency",
    "Date",
]


def legacy_workbook() -> bytes:
    """Two sheets (notes first); on "Pledges" a merged title over the first row, the header on
    row 3, an amount computed by a formula (with the value Excel cached), a date stored as an
    Excel serial number without a date format, and empty trailing rows."""
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes["A1"] = "Exported from the legacy pledge system"
    sheet = book.create_sheet("Pledges")
    sheet["A1"] = "GRF 2023 pledges"
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(HEADERS)
    sheet.append(
        [
            "X-1",
            "GCR",
            "GRF23",
            "Teachers for refugee schools",
            "Training 300 teachers for refugee-hosting schools.",
            "Government of Kenya",
            "2",
            "Kenya",
            "=1000*250",
            "EUR",
            45273,
        ]
    )
    for _ in range(3):
        sheet.append([None] * len(HEADERS))
    buffer = io.BytesIO()
    book.save(buffer)
    return _with_cached_value(buffer.getvalue(), "I4", "250000")


def _with_cached_value(content: bytes, cell: str, value: str) -> bytes:
    """openpyxl writes a formula without its value; Excel stores both. Put the value in."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(
                    rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/>'.encode(),
                    rf"\1<v>{value}</v>".encode(),
                    data,
                )
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.django_db
def test_the_chosen_sheet_is_imported_with_cached_formula_and_serial_date_when_the_file_is_xlsx(
    secretariat, known_entities
):
    content = legacy_workbook()

    report = run_import(
        content=content,
        kind="pledges",
        by=secretariat,
        reason="xlsx",
        sheet="Pledges",
        commit=True,
    )

    assert sheet_names(content) == ["Notes", "Pledges"]
    assert report.committed, report.errors
    assert report.header_row == 3
    assert report.total == 1
    pledge = Pledge.objects.get(external_id="X-1")
    assert pledge.amount == Decimal("250000")
    assert pledge.announced_on == dt.date(2023, 12, 13)


@pytest.mark.django_db
def test_the_notes_sheet_is_refused_with_a_message_when_no_row_names_known_columns(
    secretariat, reference_data
):
    with pytest.raises(ImportRefused, match="No row among the first 30 names the columns"):
        run_import(
            content=legacy_workbook(), kind="pledges", by=secretariat, reason="x", sheet="Notes"
        )


@pytest.mark.django_db
def test_french_headers_names_and_amounts_are_read_when_the_csv_is_windows_1252(
    secretariat, known_entities
):
    content = sample("hlom_pledges_windows1252.csv")

    report = run_import(
        content=content,
        kind="pledges",
        by=secretariat,
        reason="fr",
        commit=True,
        create_verified=True,
    )

    assert detect_encoding(content) != "utf-8"
    assert report.committed, report.errors
    pledge = Pledge.objects.get(external_id="HL-77")
    assert pledge.title == "Accès à l'éducation supérieure"
    assert pledge.entity == known_entities["france"]
    assert pledge.amount == Decimal("1200000.50")
    assert [c.code for c in pledge.beneficiary_countries.all()] == ["TD"]
    assert pledge.implementation_status == "in_progress"
    assert [
        c.code for c in Pledge.objects.get(external_id="HL-78").beneficiary_countries.all()
    ] == ["CM"]


def test_the_header_is_found_below_title_lines_when_the_csv_is_utf16_with_commas() -> None:
    text = "Report\r\n\r\nPledge ID,Title,Entity\r\nA-1,Schools,Government of Kenya\r\n,,\r\n"

    table = read_table(text.encode("utf-16"), looks_like_header=lambda cells: "Pledge ID" in cells)

    assert table.header_row == 3
    assert list(table.rows()) == [(4, ["A-1", "Schools", "Government of Kenya"])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "old Excel file"),
        (b"PK\x03\x04broken", "cannot be opened"),
    ],
)
def test_a_clear_message_is_given_when_the_file_cannot_be_read(content, message) -> None:
    with pytest.raises(UnreadableFile, match=message):
        read_table(content)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,500,000", Decimal("1500000")),
        ("1.500.000,00", Decimal("1500000.00")),
        ("1 200 000,50", Decimal("1200000.50")),
        ("1'234'567.25", Decimal("1234567.25")),
        ("US$ 2,500.75", Decimal("2500.75")),
        ("12,5", Decimal("12.5")),
        (250000, Decimal("250000")),
    ],
)
def test_amounts_are_read_whatever_the_locale_when_separators_differ(text, expected) -> None:
    assert amount(text) == expected


def test_an_amount_with_misplaced_separators_is_refused_with_a_message() -> None:
    with pytest.raises(BadValue, match="thousands separators are misplaced"):
        amount("1,50,000.00")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2023-12-13", dt.date(2023, 12, 13)),
        ("13/12/2023", dt.date(2023, 12, 13)),
        (45273, dt.date(2023, 12, 13)),
        ("45273", dt.date(2023, 12, 13)),
        (dt.datetime(2023, 12, 13, 0, 0, tzinfo=dt.UTC), dt.date(2023, 12, 13)),
    ],
)
def test_dates_are_read_when_written_as_iso_day_first_or_excel_serials(cell, expected) -> None:
    assert date(cell) == expected


def test_an_unknown_date_format_is_refused_with_an_example() -> None:
    with pytest.raises(BadValue, match="write it as 2023-12-13"):
        date("December the 13th")
