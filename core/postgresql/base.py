"""Django's PostgreSQL backend, with one change: cursors read `timestamptz` with psycopg's own
loader, the C one when psycopg's binary package is installed (`constraints.txt`).

Django 5.2 registers on every connection a Python subclass of psycopg's pure-Python loader,
which parses each value with a regular expression and then sets its time zone: about 3 µs a
value against psycopg's C loader's 0.5 µs (the secretariat's workbook of a compact of 100,000
pledges reads 230,000 of them: 0.63 s of its 4 s; the API's pages read four a pledge). The C
loader returns the instant in the session's time zone, which Django sets to UTC when the site
and the database settings say UTC; only then is it used. It cannot replace Django's loader on
the connection itself: it is a final type, and Django reads a `timezone` attribute from the
connection's loader before each cursor.
"""

import datetime as dt
from typing import Any

import psycopg
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql import base
from psycopg.pq import Format

TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
PSYCOPG_LOADER = psycopg.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)


def read_timestamps_with_psycopg(wrapper: BaseDatabaseWrapper, cursor: Any) -> None:
    """Make `cursor` (a psycopg cursor of `wrapper`'s connection) read `timestamptz` with
    psycopg's loader, when the session is in UTC (see the module docstring)."""
    if wrapper.timezone == dt.UTC and wrapper.timezone_name == "UTC":
        cursor.adapters.register_loader(TIMESTAMPTZ, PSYCOPG_LOADER)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: Any = None) -> Any:
        cursor = super().create_cursor(name)
        read_timestamps_with_psycopg(self, cursor)
        return cursor
