"""The database itself refuses API-key rows that break the rules in `ApiKey.Meta`.

Each case builds a valid, unsaved key, then breaks one rule; the valid key must save, so that a
case cannot pass by being refused for another reason.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import ApiKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def new_key(**changes: object) -> ApiKey:
    key = ApiKey(
        user=UserFactory(),
        name="Reporting",
        prefix="0123456789",
        key_hash="a" * 64,
        created_at=CREATED,
    )
    for name, value in changes.items():
        setattr(key, name, value)
    return key


def api_key(**changes: object) -> Callable[[], ApiKey]:
    """A builder of one valid key."""
    return lambda: new_key(**changes)


def second_key(**changes: object) -> Callable[[], ApiKey]:
    """A builder of a valid second key of the same user, beside a saved first one that holds
    prefix 0123456789 and the name "Reporting"."""

    def build() -> ApiKey:
        first = new_key()
        first.save()
        return new_key(**{"user": first.user, "prefix": "abcdefabcd", "name": "Other", **changes})

    return build


def setter(**values: object) -> Callable[[ApiKey], None]:
    def apply(row: ApiKey) -> None:
        for name, value in values.items():
            setattr(row, name, value)

    return apply


@dataclass(frozen=True)
class Case:
    id: str
    valid: Callable[[], ApiKey]
    breaks: Callable[[ApiKey], None]


CASES = [
    Case("api_key_prefix_unique", second_key(), setter(prefix="0123456789")),
    Case(
        "api_key_name_unique_per_user_while_not_revoked",
        # Same name as the first key is fine while one of the two is revoked.
        second_key(name="Reporting", revoked_at=CREATED),
        setter(revoked_at=None),
    ),
    Case("api_key_name_not_blank", api_key(), setter(name="")),
    Case("api_key_hash_is_sha256_hex", api_key(), setter(key_hash="A" * 64)),
    Case(
        "api_key_expires_after_creation",
        api_key(expires_at=CREATED + dt.timedelta(days=1)),
        setter(expires_at=CREATED),
    ),
    Case(
        "api_key_revoked_after_creation",
        api_key(revoked_at=CREATED),
        setter(revoked_at=CREATED - dt.timedelta(seconds=1)),
    ),
]


def save_now(row: ApiKey) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        row.save()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_key_is_accepted_when_it_keeps_the_rule(case: Case) -> None:
    row = case.valid()

    save_now(row)

    assert ApiKey.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_key_is_refused_by_the_database_when_it_breaks_the_rule(case: Case) -> None:
    row = case.valid()
    case.breaks(row)

    with pytest.raises(IntegrityError, match=re.escape(case.id)):
        save_now(row)


def test_every_named_constraint_has_a_case_when_the_model_declares_it() -> None:
    assert {c.name for c in ApiKey._meta.constraints} == {case.id for case in CASES}
