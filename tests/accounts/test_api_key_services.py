"""Creating, revoking and checking API keys through `accounts.services`."""

import datetime as dt
import hashlib
import hmac
import re
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import ApiKey, ApiKeyStatus, User
from core.audit import entries_for
from core.models import AuditEntry

from .conftest import MakeKey, expire

pytestmark = pytest.mark.django_db

KEY_FORMAT = re.compile(r"^cpt_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$")


def test_key_has_the_documented_format_when_created(member_a: User) -> None:
    key, raw = services.create_api_key(user=member_a, name="Reporting")

    assert KEY_FORMAT.match(raw)
    assert raw.split("_")[1] == key.prefix
    assert key.user == member_a
    assert key.status == ApiKeyStatus.ACTIVE
    assert key.is_active


def test_plaintext_is_never_stored_when_key_is_created(member_a: User) -> None:
    key, raw = services.create_api_key(user=member_a, name="Reporting")

    stored = ApiKey.objects.values().get(pk=key.pk)
    secret = raw.split("_", 2)[2]
    assert stored["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in stored.values())
    assert all(secret not in str(value) for value in stored.values())
    audit = AuditEntry.objects.get(action="accounts.api_key.created")
    assert raw not in str(audit.data)
    assert secret not in str(audit.data)


def test_creation_is_audited_when_key_is_created(member_a: User) -> None:
    key, _ = services.create_api_key(user=member_a, name="Reporting", by=member_a)

    entry = entries_for(key).get()
    assert entry.action == "accounts.api_key.created"
    assert entry.actor == member_a
    assert entry.data["prefix"] == key.prefix
    assert entry.data["name"] == "Reporting"


def test_two_keys_differ_when_created_with_different_names(member_a: User) -> None:
    first, first_raw = services.create_api_key(user=member_a, name="One")
    second, second_raw = services.create_api_key(user=member_a, name="Two")

    assert first.prefix != second.prefix
    assert first_raw != second_raw
    assert first.key_hash != second.key_hash


def test_name_is_trimmed_when_created_with_spaces(member_a: User) -> None:
    key, _ = services.create_api_key(user=member_a, name="  Reporting  ")

    assert key.name == "Reporting"


@pytest.mark.parametrize("name", ["", "   "])
def test_creation_is_refused_when_name_is_blank(member_a: User, name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_api_key(user=member_a, name=name)

    assert "name" in caught.value.message_dict
    assert not ApiKey.objects.exists()


def test_creation_is_refused_when_name_is_too_long(member_a: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_api_key(user=member_a, name="x" * 101)

    assert "name" in caught.value.message_dict


def test_creation_is_refused_when_user_has_an_active_key_of_that_name(
    member_a: User, make_key: MakeKey
) -> None:
    make_key(member_a, "Reporting")

    with pytest.raises(ValidationError) as caught:
        services.create_api_key(user=member_a, name="Reporting")

    assert "already have a key named" in caught.value.message_dict["name"][0]


def test_name_can_be_reused_when_the_old_key_is_revoked(member_a: User, make_key: MakeKey) -> None:
    old, _ = make_key(member_a, "Reporting")
    services.revoke_api_key(key=old, by=member_a)

    new, _ = services.create_api_key(user=member_a, name="Reporting")

    assert new.pk != old.pk


def test_other_users_may_use_the_same_name_when_creating(
    member_a: User, member_b: User, make_key: MakeKey
) -> None:
    make_key(member_a, "Reporting")

    key, _ = services.create_api_key(user=member_b, name="Reporting")

    assert key.user == member_b


@pytest.mark.parametrize("offset", [dt.timedelta(0), dt.timedelta(days=-1)])
def test_creation_is_refused_when_expiry_is_not_in_the_future(
    member_a: User, offset: dt.timedelta
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_api_key(user=member_a, name="Reporting", expires_at=timezone.now() + offset)

    assert "expires_at" in caught.value.message_dict


def test_creation_is_refused_when_account_is_deactivated(member_a: User) -> None:
    member_a.is_active = False
    member_a.save()

    with pytest.raises(ValidationError):
        services.create_api_key(user=member_a, name="Reporting")


def test_creation_retries_when_the_drawn_prefix_is_taken(member_a: User, make_key: MakeKey) -> None:
    taken, _ = make_key(member_a, "First")
    draws = iter([taken.prefix, "abcdef0123"])

    with mock.patch("accounts.services.secrets.token_hex", side_effect=lambda n: next(draws)):
        key, raw = services.create_api_key(user=member_a, name="Second")

    assert key.prefix == "abcdef0123"
    assert services.authenticate_api_key(raw) == key


# --- authenticate_api_key ----------------------------------------------------------------------


def test_key_is_found_when_presented_as_created(key_a: tuple[ApiKey, str]) -> None:
    key, raw = key_a

    assert services.authenticate_api_key(raw) == key


def test_hashes_are_compared_in_constant_time_when_a_key_is_checked(
    key_a: tuple[ApiKey, str],
) -> None:
    key, raw = key_a

    with mock.patch("accounts.services.hmac.compare_digest", wraps=hmac.compare_digest) as spy:
        services.authenticate_api_key(raw)

    spy.assert_called_once_with(hashlib.sha256(raw.encode()).hexdigest(), key.key_hash)


def test_constant_time_compare_runs_too_when_the_prefix_is_unknown(db: None) -> None:
    with mock.patch("accounts.services.hmac.compare_digest", wraps=hmac.compare_digest) as spy:
        found = services.authenticate_api_key("cpt_0123456789_" + "x" * 43)

    assert found is None
    spy.assert_called_once()


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "cpt",
        "cpt_",
        "cpt__secret",
        "nope_0123456789_secret",
        "cpt_0123456789_",
        "cpt_XYZ_secret",
        "cpt_0123456789",
        "Bearer cpt_0123456789_secret",
    ],
)
def test_nothing_is_found_when_key_is_malformed(db: None, raw: str) -> None:
    assert services.authenticate_api_key(raw) is None


def test_nothing_is_found_when_secret_is_tampered_with_a_valid_prefix(
    key_a: tuple[ApiKey, str],
) -> None:
    key, raw = key_a
    last = raw[-1]
    tampered = raw[:-1] + ("A" if last != "A" else "B")

    assert services.find_api_key(tampered) is None
    assert services.authenticate_api_key(tampered) is None
    assert services.authenticate_api_key(f"cpt_{key.prefix}_{'x' * 43}") is None


def test_nothing_is_found_when_key_is_truncated_or_extended(key_a: tuple[ApiKey, str]) -> None:
    _, raw = key_a

    assert services.authenticate_api_key(raw[:-1]) is None
    assert services.authenticate_api_key(raw + "x") is None


def test_key_is_refused_when_revoked(key_a: tuple[ApiKey, str], member_a: User) -> None:
    key, raw = key_a
    services.revoke_api_key(key=key, by=member_a)

    assert services.authenticate_api_key(raw) is None
    assert services.find_api_key(raw).status == ApiKeyStatus.REVOKED


def test_key_is_refused_when_expired(key_a: tuple[ApiKey, str]) -> None:
    key, raw = key_a
    expire(key)

    assert services.authenticate_api_key(raw) is None
    assert services.find_api_key(raw).status == ApiKeyStatus.EXPIRED


def test_key_works_until_its_expiry_when_created_with_one(member_a: User) -> None:
    expires_at = timezone.now() + dt.timedelta(days=1)
    key, raw = services.create_api_key(user=member_a, name="Short", expires_at=expires_at)

    assert services.authenticate_api_key(raw) == key
    with time_machine.travel(expires_at + dt.timedelta(seconds=1), tick=False):
        assert services.authenticate_api_key(raw) is None


def test_key_is_refused_when_its_user_is_deactivated(
    key_a: tuple[ApiKey, str], member_a: User
) -> None:
    _, raw = key_a
    User.objects.filter(pk=member_a.pk).update(is_active=False)

    assert services.authenticate_api_key(raw) is None


# --- revoke_api_key ----------------------------------------------------------------------------


def test_key_is_revoked_and_audited_when_owner_revokes_it(
    key_a: tuple[ApiKey, str], member_a: User
) -> None:
    key, _ = key_a

    services.revoke_api_key(key=key, by=member_a, reason="Laptop lost")

    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key.status == ApiKeyStatus.REVOKED
    entry = entries_for(key).get(action="accounts.api_key.revoked")
    assert entry.actor == member_a
    assert entry.reason == "Laptop lost"


def test_staff_may_revoke_when_key_belongs_to_someone_else(
    key_a: tuple[ApiKey, str], secretariat: User
) -> None:
    key, _ = key_a

    services.revoke_api_key(key=key, by=secretariat)

    key.refresh_from_db()
    assert key.revoked_at is not None


def test_revocation_is_refused_when_another_member_asks(
    key_a: tuple[ApiKey, str], member_b: User
) -> None:
    key, _ = key_a

    with pytest.raises(PermissionDenied):
        services.revoke_api_key(key=key, by=member_b)

    key.refresh_from_db()
    assert key.revoked_at is None


def test_second_revocation_is_refused_and_keeps_the_first_time_when_revoked_twice(
    key_a: tuple[ApiKey, str], member_a: User
) -> None:
    key, _ = key_a
    services.revoke_api_key(key=key, by=member_a)
    key.refresh_from_db()
    first = key.revoked_at

    with pytest.raises(ValidationError, match="already revoked") as caught:
        services.revoke_api_key(key=key, by=member_a)

    assert caught.value.code == "already_revoked"
    key.refresh_from_db()
    assert key.revoked_at == first
    assert entries_for(key).filter(action="accounts.api_key.revoked").count() == 1


# --- touch_last_used ---------------------------------------------------------------------------


def test_last_used_is_written_when_key_is_used_for_the_first_time(
    key_a: tuple[ApiKey, str],
) -> None:
    key, _ = key_a

    assert services.touch_last_used(key) is True

    key.refresh_from_db()
    assert key.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute_when_key_is_used_often(
    key_a: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    key, _ = key_a
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.touch_last_used(key)

    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        with django_assert_num_queries(0):
            assert services.touch_last_used(key) is False
        # Another process holding an older copy of the row: the conditional UPDATE skips it.
        stale = ApiKey.objects.get(pk=key.pk)
        stale.last_used_at = None
        assert services.touch_last_used(stale) is False

    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert services.touch_last_used(key) is True

    key.refresh_from_db()
    assert key.last_used_at == start + dt.timedelta(seconds=61)
