"""A small, hand-countable GCR world with snapshots computed on chosen dates, and a reader for the
dashboard's data tables (what a person scans), shared by the dashboard tests.

On 30 June 2024 (the first recompute):
ref          forum  entity type  objectives  countries  status       amount
GRF23-00001  GRF23  state        1           KE         in progress  1,000 USD
GRF23-00002  GRF23  ngo          1, 2        JO         fulfilled      500 USD
GRF19-00001  GRF19  state        2           KE, UG     (no update)    —
`add_pledge` then adds more before the next `recompute(on=...)`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.utils import timezone

from indicators import delta
from pledges.models import Pledge
from tests.factories import PledgeRows

FIRST = dt.date(2024, 6, 30)


@pytest.fixture
def add_pledge(reference_data: None) -> Callable[..., Pledge]:
    """tests/factories.py's PledgeRows with this world's defaults: a State's national pledge,
    published on 15 January 2024, last updated on 31 May 2024 when it has a `status`, and an
    `amount` in USD; `forum`, `objectives` and `countries` as PledgeRows takes them."""
    rows = PledgeRows()

    def build(
        *, entity_type: str = "state", status: str = "", amount: str | None = None, **fields: Any
    ) -> Pledge:
        return rows(
            entity_type=entity_type,
            status=status,
            published_at=dt.datetime(2024, 1, 15, tzinfo=dt.UTC),
            last_update_on=dt.date(2024, 5, 31) if status else None,
            amount=Decimal(amount) if amount else None,
            currency_id="USD" if amount else None,
            geography_scope="national",
            **fields,
        )

    return build


@pytest.fixture
def recompute(django_capture_on_commit_callbacks: Any) -> Callable[[dt.date], None]:
    """Snapshots of every objective and compact on a date, as the engine writes them — with the
    commit hooks run, so that the snapshot version token changes as it does in production."""

    def run(on: dt.date = FIRST) -> None:
        # A full run, as the nightly one: it also stores the per-pledge facts that combined
        # filters read (indicators/combined.py).
        with django_capture_on_commit_callbacks(execute=True):
            delta.rebuild(on=on)
            delta.build_filter_sums()  # after the run, as the Celery task does

    return run


@pytest.fixture
def world(add_pledge: Callable[..., Pledge], recompute: Callable[[dt.date], None]) -> None:
    add_pledge(objectives=(1,), countries=("KE",), status="in_progress", amount="1000")
    add_pledge(
        entity_type="ngo", objectives=(1, 2), countries=("JO",), status="fulfilled", amount="500"
    )
    add_pledge(forum="GRF19", objectives=(2,), countries=("KE", "UG"))
    recompute(FIRST)


# --- reading the page ----------------------------------------------------------------------


@dataclass
class Table:
    caption: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, str | None]]] = field(default_factory=list)  # (text, link)
    selected: list[bool] = field(default_factory=list)


class _TableReader(HTMLParser):
    """Every <table> of a page: caption, column headings, and each body cell's text and link."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, Table] = {}
        self._table: Table | None = None
        self._where = ""
        self._cell: list[str] | None = None
        self._link: str | None = None
        self._caption_id = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._table = Table()
        elif self._table is None:
            return
        elif tag == "caption":
            self._caption_id = attributes.get("id") or ""
            self._cell = []
        elif tag in ("thead", "tbody"):
            self._where = tag
        elif tag == "tr" and self._where == "tbody":
            self._table.rows.append([])
            self._table.selected.append("is-selected" in (attributes.get("class") or ""))
        elif tag in ("th", "td"):
            self._cell, self._link = [], None
        elif tag == "a" and self._cell is not None:
            self._link = attributes.get("href")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._table is None:
            return
        text = " ".join("".join(self._cell or []).split())
        if tag == "caption":
            self._table.caption, self._cell = text, None
        elif tag in ("th", "td") and self._cell is not None:
            if self._where == "thead":
                self._table.head.append(text)
            elif self._table.rows:
                self._table.rows[-1].append((text, self._link))
            self._cell = None
        elif tag == "table":
            self.tables[self._caption_id] = self._table
            self._table = None


def tables(html: str) -> dict[str, Table]:
    """Tables of a page by their caption's id (`chart-<key>-caption` for charts)."""
    reader = _TableReader()
    reader.feed(html)
    return reader.tables


def chart_table(response: Any, key: str) -> Table:
    dom_id = "".join(c if c.isalnum() else "-" for c in key)
    return tables(response.content.decode())[f"chart-{dom_id}-caption"]


def as_of_today() -> dt.date:
    return timezone.localdate()
