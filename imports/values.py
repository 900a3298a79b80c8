"""Cell values as the import reads them: dates (ISO, day-first, Excel serial numbers), amounts
with the thousands separators of any locale, lists in one cell. Each raises `BadValue` with a
message for the user."""

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .readers import Cell

# Excel serial numbers of 1 January 1990 and 31 December 2100: a number in a date column
# between them is a date whose cell lost its format.
SERIAL_RANGE = (32874, 73415)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d %B %Y", "%d %b %Y")
LIST_SEPARATORS = re.compile(r"\s*[;|\n]\s*")
CODE_SEPARATORS = re.compile(r"\s*[;|\n,]\s*")


class BadValue(ValueError):
    """A cell's value is not what its column needs; the message says what is wrong."""


def text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return " ".join(str(cell).split())


def items(cell: Cell, *, commas: bool = False) -> list[str]:
    """The entries of a list cell: separated by `;`, `|` or line breaks (commas belong to
    names such as "Congo, Democratic Republic of the"); by commas too for lists of codes."""
    raw = text(cell) if isinstance(cell, int | float) else ("" if cell is None else str(cell))
    separators = CODE_SEPARATORS if commas else LIST_SEPARATORS
    return [part for part in (p.strip() for p in separators.split(raw)) if part]


def date(cell: Cell) -> dt.date | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _serial(float(cell))
    raw = str(cell).strip()
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return _serial(float(raw))
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 — a date, no time
        except ValueError:
            continue
    raise BadValue(
        _("“%(value)s” is not a date we can read: write it as 2023-12-13 (or 13/12/2023).")
        % {"value": raw}
    )


def _serial(number: float) -> dt.date:
    low, high = SERIAL_RANGE
    if not low <= number <= high:
        raise BadValue(_("%(value)s is not a date.") % {"value": text(number)})
    from openpyxl.utils.datetime import from_excel  # only when a workbook is read (readers.py)

    value = from_excel(number)
    return value.date() if isinstance(value, dt.datetime) else value


def amount(cell: Cell) -> Decimal | None:
    """An amount, whatever the locale wrote: 1,234,567.50 · 1.234.567,50 · 1 234 567,50 ·
    1'234'567.50. A lone separator followed by exactly three digits is ambiguous (1,500 or
    1.500): read as thousands only when the other separator cannot be the decimal one."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return Decimal(str(cell))
    raw = re.sub(r"[\s\u00a0\u202f'’]", "", str(cell))
    raw = re.sub(r"^(US\$|\$|€|£|USD|EUR)|(US\$|\$|€|£|USD|EUR)$", "", raw, flags=re.IGNORECASE)
    if not re.fullmatch(r"-?[\d.,]+", raw) or not re.search(r"\d", raw):
        raise BadValue(_("“%(value)s” is not an amount.") % {"value": text(cell)})
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
    elif commas > 1 or dots > 1:
        decimal_mark = "." if commas > 1 else ","
    elif commas == 1 or dots == 1:
        mark = "," if commas else "."
        decimal_mark = "" if re.fullmatch(rf"-?\d{{1,3}}\{mark}\d{{3}}", raw) else mark
    else:
        decimal_mark = ""
    thousands = {",": ".", ".": ","}.get(decimal_mark, ",.")
    grouping = f"[{re.escape(thousands)}]"
    if decimal_mark and decimal_mark in raw:
        whole, _sep, fraction = raw.rpartition(decimal_mark)
    else:
        whole, fraction = raw, ""
    if re.search(grouping, whole) and not re.fullmatch(rf"-?\d{{1,3}}({grouping}\d{{3}})+", whole):
        raise BadValue(
            _("“%(value)s”: its thousands separators are misplaced.") % {"value": text(cell)}
        )
    digits = re.sub(grouping, "", whole) + ("." + fraction if fraction else "")
    try:
        return Decimal(digits)
    except InvalidOperation:
        raise BadValue(_("“%(value)s” is not an amount.") % {"value": text(cell)}) from None


def suggestion(value: str, choices: Iterable[str]) -> str:
    """ " Did you mean …?" for a name we do not know, or nothing."""
    close = difflib.get_close_matches(value.casefold(), list(choices), n=1, cutoff=0.75)
    return close[0] if close else ""
