"""Cells for the CSV and XLSX files the product writes, so that a download can never carry a live
formula (OWASP's "CSV injection"): the one home of the rule, used by every writer (API exports,
dashboard CSVs, the secretariat's report and overdue list).

Text that a spreadsheet would evaluate — it begins with `=`, `+`, `-`, `@`, a tab or a carriage
return — is written

- in CSV with a leading apostrophe (`'=HYPERLINK(…)`), which spreadsheets show as text;
- in XLSX as a text cell (never a formula, which openpyxl would make of any text beginning with
  `=`) marked "quote prefix": Excel shows the text unchanged and keeps it text when the cell is
  edited, as for text typed after an apostrophe.

Text that is a plain number (`-5`, `-0.25`: DRF writes decimals as text) is left as it is: a
spreadsheet reads a number from it, nothing it could run. Numbers, dates and datetimes stay
numbers and dates. Each cell costs a type check and a test of its first character.

The rule has an SQL form (`safe_cell_sql`) for the CSV that PostgreSQL writes itself (the API's
pledge export, `pledges/api/reading.py`): the same first characters and the same pattern of a
plain number, in ASCII digits, which is what PostgreSQL's regular expressions read as digits.
"""

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Control characters XML cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, the same pattern): kept
# here so that a web worker imports openpyxl (~6 MB) only when it writes or reads a workbook.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

# The first characters that make a spreadsheet evaluate a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_STARTS = frozenset(FORMULA_STARTS)
# Python's and PostgreSQL's regular expressions read this pattern the same way.
PLAIN_NUMBER_PATTERN = r"-[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?"
PLAIN_NUMBER = re.compile(PLAIN_NUMBER_PATTERN)
# XLSX only: openpyxl also reads "#N/A", "#REF!"… as error values rather than text.
_XLSX_SPECIAL = (*FORMULA_STARTS, "#")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)


def _quoted(text: str) -> str:
    return text if PLAIN_NUMBER.fullmatch(text) else "'" + text


def safe_cell(value: Any) -> Any:
    """A CSV cell: text a spreadsheet would evaluate gets a leading apostrophe; anything else is
    returned as it is (lazy translations as text)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return _quoted(value)
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` of each value, with the common case inlined: it runs for every cell of a
    million-row export."""
    return [
        (_quoted(v) if v[:1] in _STARTS else v)
        if isinstance(v, str)
        else safe_cell(v)
        if isinstance(v, Promise)
        else v
        for v in values
    ]


def _sql_literal(character: str) -> str:
    return f"'{character}'" if character.isprintable() else f"chr({ord(character)})"


def safe_cell_sql(text: str) -> str:
    """`safe_cell` of the SQL text expression `text`, NULL staying NULL. `text` is written
    three times: give a column, not a costly expression."""
    starts = ", ".join(_sql_literal(c) for c in FORMULA_STARTS)
    return (
        f"CASE WHEN left({text}, 1) IN ({starts}) AND {text} !~ '^{PLAIN_NUMBER_PATTERN}$'"
        f" THEN '''' || {text} ELSE {text} END"
    )


def xlsx_cell(sheet: "WriteOnlyWorksheet", value: Any) -> Any:
    """An XLSX cell for a write-only sheet: text stays text (a cell of type `s`, with Excel's
    quote prefix where it would be evaluated); anything else is returned as it is."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    if not value.isprintable() and ILLEGAL_CHARACTERS_RE.search(value):
        # Control characters XML cannot hold: openpyxl would refuse the whole file.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(_XLSX_SPECIAL):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if is_formula_like(value):
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet: "WriteOnlyWorksheet", values: Iterable[Any]) -> list[Any]:
    return [xlsx_cell(sheet, value) for value in values]
