"""The secretariat's CSV of matches: every match with both pledges, their entities, the state,
when it was proposed and each side's decision (who, when). Streamed: the rows are read with a
server-side cursor in chunks and written as they come (as the overdue list's CSV)."""

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import safe_row

from .models import Match

CHUNK = 2000

# What each row reads, in the columns' order (one query: `values_list` through the relations).
_FIELDS = (
    "seeking__reference",
    "seeking__entity__name",
    "offering__reference",
    "offering__entity__name",
    "state",
    "created_at",
    "proposed_for__name",
    "seeking_decision",
    "seeking_decided_at",
    "seeking_decided_by__email",
    "offering_decision",
    "offering_decided_at",
    "offering_decided_by__email",
    "closed_at",
    "note",
)


def match_header() -> list[str]:
    return [
        _("Seeking pledge"),
        _("Seeking entity"),
        _("Offering pledge"),
        _("Offering entity"),
        _("State"),
        _("Proposed at"),
        _("Proposed by entity"),
        _("Seeking side's decision"),
        _("Seeking side decided at"),
        _("Seeking side decided by"),
        _("Offering side's decision"),
        _("Offering side decided at"),
        _("Offering side decided by"),
        _("Closed at"),
        _("Note"),
    ]


def _cell(value: Any) -> Any:
    """Datetimes in the site's time zone, ISO 8601 to the second; empty for none."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).replace(microsecond=0).isoformat()
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def match_csv_lines(matches: QuerySet[Match]) -> Iterator[str]:
    """The matches as CSV lines (formula-like text neutralised), read in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow(safe_row(match_header()))
    buffer: list[str] = []
    for row in matches.values_list(*_FIELDS).iterator(chunk_size=CHUNK):
        buffer.append(writer.writerow(safe_row(_cell(value) for value in row)))
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    yield "".join(buffer)
