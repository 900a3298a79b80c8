"""`manage.py create_api_key EMAIL --name NAME [--expires-in-days N]`."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import services
from accounts.models import ApiKey, User
from core.audit import entries_for

from .conftest import MakeKey

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_only_the_key_is_printed_on_stdout_when_created(member_a: User) -> None:
    out, err = run("member-a@example.org", "--name", "Nightly export")

    raw = out.strip()
    assert out.count("\n") == 1
    key = services.authenticate_api_key(raw)
    assert key is not None
    assert key.user == member_a
    assert key.name == "Nightly export"
    assert key.expires_at is None
    assert key.prefix in err
    assert "will not be shown again" in err
    assert raw not in err


def test_user_is_found_when_email_differs_in_case(member_a: User) -> None:
    out, _ = run("Member-A@Example.org", "--name", "Nightly export")

    assert services.authenticate_api_key(out.strip()).user == member_a


def test_key_expires_after_the_given_days_when_expiry_is_asked(member_a: User) -> None:
    before = timezone.now()

    run("member-a@example.org", "--name", "Trial", "--expires-in-days", "30")

    key = ApiKey.objects.get(user=member_a)
    assert before + dt.timedelta(days=30) <= key.expires_at
    assert key.expires_at <= timezone.now() + dt.timedelta(days=30)


def test_creation_is_audited_without_an_actor_when_an_operator_runs_it(member_a: User) -> None:
    run("member-a@example.org", "--name", "Nightly export")

    entry = entries_for(ApiKey.objects.get()).get()
    assert entry.action == "accounts.api_key.created"
    assert entry.actor is None


def test_command_error_when_email_is_unknown(db: None) -> None:
    with pytest.raises(CommandError, match=r"nobody@example\.org"):
        run("nobody@example.org", "--name", "Export")

    assert not ApiKey.objects.exists()


def test_command_error_when_name_is_taken(member_a: User, make_key: MakeKey) -> None:
    make_key(member_a, "Export")

    with pytest.raises(CommandError, match="already have a key named"):
        run("member-a@example.org", "--name", "Export")


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_command_error_when_expiry_is_not_a_positive_number_of_days(
    member_a: User, days: str
) -> None:
    with pytest.raises(CommandError):
        run("member-a@example.org", "--name", "Export", "--expires-in-days", days)


def test_command_error_when_name_is_missing(member_a: User) -> None:
    with pytest.raises(CommandError):
        run("member-a@example.org")
