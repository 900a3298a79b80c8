"""Timestamps are read with psycopg's own (C) loader (core/postgresql/): the same aware UTC
instants Django's loader gave, through every kind of cursor the code uses."""

import datetime as dt
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from psycopg.pq import Format

from core.api.prepared import fetch_prepared
from core.postgresql.base import TIMESTAMPTZ

pytestmark = pytest.mark.django_db

WRITTEN = dt.datetime(2026, 3, 29, 3, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Zurich"))
SQL = "SELECT %s::timestamptz, NULL::timestamptz"


def _assert_utc_instant(row: tuple) -> None:
    assert row[0] == WRITTEN
    assert row[0].tzinfo is dt.UTC
    assert row[0].isoformat() == "2026-03-29T01:30:15.123456+00:00"
    assert row[1] is None


def test_a_cursor_reads_timestamps_with_psycopgs_loader_as_utc_instants() -> None:
    with connection.cursor() as cursor:
        cursor.execute(SQL, [WRITTEN])
        row = cursor.fetchone()
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)

    _assert_utc_instant(row)
    assert loader is psycopg.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)


def test_server_side_and_prepared_cursors_read_the_same_instants() -> None:
    with connection.chunked_cursor() as cursor:
        cursor.execute(SQL, [WRITTEN])
        _assert_utc_instant(cursor.fetchone())

    _assert_utc_instant(fetch_prepared("default", SQL, [WRITTEN])[0])
