"""`stream_values` reads a `values_list()` as `iterator()` would, a chunk at a time, through an
ordinary (not a cursor's) query that is logged like any other."""

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DataError, connection, transaction
from django.db.models.expressions import RawSQL

from accounts.models import User
from core.models import AuditEntry
from core.postgresql.streaming import stream_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries() -> None:
    kind = ContentType.objects.get_for_model(User)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            content_type=kind,
            object_id=str(n),
            action="test",
            reason=f"<reason & {n}>",
            data={"n": n, "list": [n, "x"]},
        )
        for n in range(25)
    )


@pytest.mark.usefixtures("entries")
def test_streamed_rows_are_the_querysets_rows_with_their_converters_applied(
    django_assert_num_queries: Any,
) -> None:
    rows = AuditEntry.objects.order_by("object_id").values_list(
        "object_id", "reason", "data", "created_at", "content_type__model"
    )

    with django_assert_num_queries(1) as captured:
        streamed = list(stream_values(rows, size=4))

    assert streamed == list(rows)
    assert streamed[3][2] == {"n": 11, "list": [11, "x"]}  # JSON, decoded as iterator() does
    assert all(type(row) is tuple for row in streamed)
    assert "DECLARE" not in captured.captured_queries[0]["sql"]


@pytest.mark.usefixtures("entries")
def test_a_stream_left_half_read_leaves_the_connection_usable() -> None:
    rows = stream_values(AuditEntry.objects.order_by("id").values_list("id"), size=2)
    next(rows)
    rows.close()

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert AuditEntry.objects.count() == 25


def test_an_empty_condition_asks_nothing(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert list(stream_values(AuditEntry.objects.filter(pk__in=[]).values_list("id"))) == []


def test_only_tuples_are_streamed() -> None:
    with pytest.raises(TypeError):
        list(stream_values(AuditEntry.objects.values("id")))


@pytest.mark.usefixtures("entries")
def test_a_failing_statement_raises_djangos_error() -> None:
    rows = AuditEntry.objects.annotate(broken=RawSQL("1 / (id - id)", [])).values_list("broken")

    with pytest.raises(DataError), transaction.atomic():
        list(stream_values(rows))

    assert AuditEntry.objects.count() == 25
