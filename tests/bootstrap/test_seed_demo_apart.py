"""A large load into empty tables writes its pledges over several connections at once
(`bootstrap.demo.run.WRITERS`): the same rows as one connection, and nothing left if it fails."""

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from bootstrap import demo
from bootstrap.demo import run as demo_run
from bootstrap.demo import writer as demo_writer
from bootstrap.demo.bundles import write_rows
from bootstrap.demo.links import create_links
from goals.models import GoalContribution
from pledges.models import (
    Entity,
    Pledge,
    PledgeLink,
    PledgeReaffirmation,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
)

from .test_seed_demo import schema_of_loaded_tables

# Each test commits its rows (the other connections cannot see an uncommitted test transaction).
pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small chunks, loaded as a large load is; counts the connections the load opens apart."""
    monkeypatch.setattr(demo_run, "REBUILD_INDEXES_FROM", 1)
    monkeypatch.setattr(demo_run, "CHUNK", 20)
    opened: list[int] = []
    real = demo_writer.ParallelWriters.__init__

    def counting(self: Any, count: int, **kwargs: Any) -> None:
        opened.append(count)
        real(self, count, **kwargs)

    monkeypatch.setattr(demo_writer.ParallelWriters, "__init__", counting)
    return opened


def everything() -> list[Any]:
    """Every row a reader depends on, with the stored search documents and contexts."""
    return [
        sorted(
            Pledge.objects.values_list(
                "id",
                "reference",
                "title",
                "entity_id",
                "forum_id",
                "amount",
                "review_state",
                "implementation_status",
                "context_search_vector",
                "search_document",
            )
        ),
        sorted(Pledge.objects.values_list("id", "objectives", "beneficiary_countries")),
        sorted(PledgeTarget.objects.values_list("id", "pledge_id", "unit", "target_value")),
        sorted(PledgeUpdate.objects.values_list("id", "pledge_id", "reported_on", "status")),
        sorted(PledgeUpdateActual.objects.values_list("update_id", "target_id", "value")),
        sorted(PledgeLink.objects.values_list("source_id", "target_id", "kind")),
        sorted(PledgeReaffirmation.objects.values_list("id", "pledge_id", "forum_id")),
        sorted(GoalContribution.objects.values_list("id", "goal_id", "target_id")),
        sorted(Entity.objects.values_list("id", "name")),
    ]


def restart_sequences() -> None:
    """Every id sequence continues after its table's highest id, as in a fresh database: the
    ids a rolled-back load took are given again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.refobjid::regclass::text, a.attname FROM pg_sequence s "
            "JOIN pg_depend d ON d.objid = s.seqrelid AND d.deptype IN ('a', 'i') "
            "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 -- catalogue names
                f'(SELECT coalesce(max("{column}"), 0) + 1 FROM {table}), false)',
                [table, column],
            )


def test_same_rows_and_search_documents_when_written_over_two_connections(
    reference_data: None, large: list[int]
) -> None:
    before = schema_of_loaded_tables()
    # Inside a transaction the load stays on this connection: the same rows, rolled back.
    restart_sequences()
    with transaction.atomic():
        demo.seed_demo(pledges=150, seed=5, as_of=AS_OF)
        one = everything()
        transaction.set_rollback(True)
    assert large == []
    restart_sequences()

    demo.seed_demo(pledges=150, seed=5, as_of=AS_OF)

    assert large == [demo_run.WRITERS]
    assert one[0]
    assert everything() == one
    assert schema_of_loaded_tables() == before


@pytest.mark.parametrize(
    "when",
    ["writing pledges", "building their indexes", "linking them, after they committed"],
)
def test_nothing_is_left_when_a_load_over_two_connections_fails(
    reference_data: None, large: list[int], monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    before = schema_of_loaded_tables()
    entities = Entity.objects.count()
    written = []

    def failing_write(rows: Any, writer: Any, **kwargs: Any) -> None:
        written.append(len(rows.pledges))
        if len(written) == 4 and when == "writing pledges":
            raise RuntimeError("disk full")
        write_rows(rows, writer, **kwargs)

    def failing_links(**kwargs: Any) -> Any:
        if when == "linking them, after they committed":
            assert Pledge.objects.count() == 150  # committed by the other connections
            raise RuntimeError("disk full")
        return create_links(**kwargs)

    def failing_builds(load: Any, connections_: int) -> None:
        assert Pledge.objects.count() == 150  # committed by the other connections
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_run, "write_rows", failing_write)
    if when == "building their indexes":
        monkeypatch.setattr(demo_writer.DetachedLoad, "build_indexes", failing_builds)
    monkeypatch.setattr(demo_run, "create_links", failing_links)

    with pytest.raises(RuntimeError, match="disk full"):
        demo.seed_demo(pledges=150, seed=5, as_of=AS_OF)

    assert large == [demo_run.WRITERS]
    assert Pledge.objects.count() == 0
    assert PledgeUpdate.objects.count() == 0
    assert PledgeTarget.objects.count() == 0
    assert Entity.objects.count() == entities
    assert schema_of_loaded_tables() == before


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        ("two pledges with one public id", "public_id"),
        ("a pledge's objective row pointing at no pledge", "pledge_id"),
    ],
)
def test_rows_breaking_a_constraint_fail_the_load_and_leave_nothing(
    reference_data: None,
    large: list[int],
    monkeypatch: pytest.MonkeyPatch,
    broken: str,
    error: str,
) -> None:
    """The written-apart tables load without their keys and their public ids' unique indexes;
    adding them back checks every row, so one bad row still fails the whole load."""
    before = schema_of_loaded_tables()
    broke = []

    def breaking_write(rows: Any, writer: Any, **kwargs: Any) -> None:
        write_rows(rows, writer, **kwargs)
        if broke:
            return
        broke.append(broken)
        with writer.connection.cursor() as cursor:
            if broken == "two pledges with one public id":
                cursor.execute(
                    "UPDATE pledges_pledge SET public_id = '00000000-0000-4000-8000-000000000001' "
                    "WHERE id = ANY(%s)",
                    [[row[0] for row in rows.pledges[:2]]],
                )
            else:
                cursor.execute(
                    "UPDATE pledges_pledge_objectives SET pledge_id = -1 "
                    "WHERE id = (SELECT min(id) FROM pledges_pledge_objectives)"
                )

    monkeypatch.setattr(demo_run, "write_rows", breaking_write)

    with pytest.raises(IntegrityError, match=error):
        demo.seed_demo(pledges=150, seed=5, as_of=AS_OF)

    assert broke
    assert large == [demo_run.WRITERS]
    assert Pledge.objects.count() == 0
    assert PledgeUpdate.objects.count() == 0
    assert schema_of_loaded_tables() == before


def test_pledges_are_written_without_their_secondary_indexes_which_come_back_after(
    reference_data: None, large: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indexes are built once after a large load, not updated row by row: expression indexes
    (the title words' full-text index) included. Only the primary key and the unique indexes
    the load reads through or that grow in its order stay while it writes."""
    during: list[set[str]] = []
    query = (
        "SELECT c.relname, "
        "i.indisprimary OR (i.indisunique AND c.relname NOT LIKE '%public_id%'), "
        "i.indexprs IS NOT NULL FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = 'pledges_pledge'::regclass"
    )

    def watching_write(rows: Any, writer: Any, **kwargs: Any) -> None:
        if not during:
            with writer.connection.cursor() as cursor:
                cursor.execute(query)
                during.append({name for name, _, _ in cursor.fetchall()})
        write_rows(rows, writer, **kwargs)

    monkeypatch.setattr(demo_run, "write_rows", watching_write)

    demo.seed_demo(pledges=150, seed=5, as_of=AS_OF)

    with connection.cursor() as cursor:
        cursor.execute(query)
        after = cursor.fetchall()
    assert large == [demo_run.WRITERS]
    assert during == [{name for name, stays, _ in after if stays}]
    assert any(expression and not stays for _, stays, expression in after)
