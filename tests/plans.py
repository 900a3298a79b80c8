"""EXPLAIN for tests that keep a query servable by its index."""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet


def planned(queryset: QuerySet[Any], *, forbid: Sequence[str] = ("seqscan",)) -> str:
    """The plan PostgreSQL picks for `queryset` with the plan kinds in `forbid` switched off
    (`enable_<kind>`, for this EXPLAIN only). On the tests' tiny tables a scan or a sort is
    cheapest; forbidding them shows whether an index *can* serve the read (it cannot once the
    query and the index's definition drift apart)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for kind in forbid:
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        reset_planner(cursor, forbid)
        return plan


def reset_planner(cursor: Any, kinds: Sequence[str]) -> None:
    """Switch the plan kinds back on: left off until the test's rollback, the deferred
    foreign-key checks of its teardown were planned without them (two minutes a test once a
    test had copied 3,000 pledges)."""
    for kind in kinds:
        cursor.execute(f"RESET enable_{kind}")
