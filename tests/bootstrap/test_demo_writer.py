"""`bootstrap.demo.writer.Writer`: primary keys handed out before the rows that carry them are
written, and rows copied in binary or, for a column type without a binary form, as text."""

from itertools import pairwise

import pytest
from django.db import connection

from bootstrap.demo.pledges import PLEDGE_COLUMNS
from bootstrap.demo.writer import Writer
from core.models import ExchangeRate
from pledges.models import Pledge
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


def _sequence() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('core_exchangerate', 'id')")
        return cursor.fetchone()[0]


def _next_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [_sequence()])
        return cursor.fetchone()[0]


def test_reserved_ids_are_an_unbroken_run_that_the_sequence_never_gives_again() -> None:
    writer = Writer()
    first = writer.reserve_ids(ExchangeRate, 1000)
    second = writer.reserve_ids(ExchangeRate, 5)

    assert len(first) == 1000
    assert list(first) == list(range(first[0], first[0] + 1000))
    assert second[0] > first[-1]
    assert _next_id() > second[-1]


def test_ids_from_a_sequence_with_gaps_are_listed_one_by_one() -> None:
    # A sequence that skips numbers stands for other sessions taking ids in between.
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER SEQUENCE {_sequence()} INCREMENT BY 3")

    ids = Writer().reserve_ids(ExchangeRate, 4)

    assert len(ids) == 4
    assert [b - a for a, b in pairwise(ids)] == [3, 3, 3]
    assert _next_id() == ids[-1] + 3


def test_nothing_is_reserved_for_no_rows() -> None:
    assert list(Writer().reserve_ids(ExchangeRate, 0)) == []


def test_rows_with_a_search_vector_are_copied_as_text_and_keep_it() -> None:
    # A text-search vector has no binary COPY form from Python: such a table goes as text.
    model = PledgeFactory()
    writer = Writer()
    (pk,) = writer.reserve_ids(Pledge, 1)
    row = [getattr(model, column) for column in PLEDGE_COLUMNS]
    row[0], row[1] = pk, "GRF23-99999"

    writer.insert(Pledge, (*PLEDGE_COLUMNS, "translation_search_vector"), [(*row, "'école':1")])

    copied = Pledge.objects.get(pk=pk)
    assert copied.translation_search_vector == "'école':1"
    assert copied.public_id not in (None, model.public_id)
    assert copied.title == model.title
