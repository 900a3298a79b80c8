"""Reminders of progress reports: by the overdue rule's dates, once per kind and cycle however
often the job runs, to the pledge's contact, with a link to the progress form; the secretariat's
"send now" with its preview, the weekly digest, and the pledge's history."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications.models import Kind, Unsubscription
from pledges.models import ReviewState
from reminders.models import Digest, Reminder, ReminderKind
from reminders.services import send_due_reminders, send_overdue_digest
from reminders.tasks import send_due_reminders_task
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

# Published 2024-01-15 (the factory's date), nothing reported since: with the default two
# cycles of six months the report is due by 2025-01-15 and overdue from the next day.
DUE = dt.date(2025, 1, 15)


@pytest.fixture
def pledge(entity_a: Any) -> Any:
    return PledgeFactory(
        entity=entity_a,
        review_state=ReviewState.PUBLISHED,
        contact_name="Ana",
        contact_email="ana@example.org",
    )


def _run(on: dt.date, capture: Any) -> list[Any]:
    mail.outbox.clear()
    with capture(execute=True):
        send_due_reminders(on=on)
    return list(mail.outbox)


@pytest.mark.parametrize(
    ("on", "kind", "subject"),
    [
        (dt.date(2025, 1, 2), ReminderKind.BEFORE_DUE, "due by 2025-01-15"),
        (dt.date(2025, 1, 16), ReminderKind.OVERDUE, "is overdue"),
        (dt.date(2025, 3, 20), ReminderKind.STILL_OVERDUE, "overdue since 2025-01-15"),
    ],
)
def test_each_reminder_goes_once_to_the_contact_when_the_job_runs_twice(
    pledge: Any, on: dt.date, kind: str, subject: str, django_capture_on_commit_callbacks: Any
) -> None:
    [message] = _run(on, django_capture_on_commit_callbacks)

    assert message.to == ["ana@example.org"]
    assert pledge.reference in message.subject
    assert subject in message.subject
    assert f"http://localhost:8000/pledges/{pledge.reference}/updates/new/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _run(on, django_capture_on_commit_callbacks) == []  # the second run sends nothing
    assert list(Reminder.objects.values_list("kind", flat=True)) == [kind]


def test_no_reminder_when_not_due_yet_or_reported_or_unsubscribed(
    pledge: Any, entity_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert _run(dt.date(2024, 12, 1), django_capture_on_commit_callbacks) == []
    PledgeFactory(entity=entity_a, review_state=ReviewState.DRAFT, contact_email="d@example.org")
    Unsubscription.objects.create(email="ana@example.org", kind=Kind.REMINDER)
    assert _run(dt.date(2025, 1, 16), django_capture_on_commit_callbacks) == []
    assert not Reminder.objects.exists()


def test_task_is_the_service(pledge: Any, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2025, 1, 16, 8, tzinfo=dt.UTC))
    assert send_due_reminders_task.run() == 1
    assert send_due_reminders_task.run() == 0


def test_secretariat_previews_then_sends_a_reminder_now_listed_on_the_history(
    pledge: Any, secretariat: Any, member_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(secretariat)
    url = reverse("reminders:remind-now", args=[pledge.reference])

    preview = client.get(url).content.decode()
    assert "ana@example.org" in preview
    assert "asks for a progress report" in preview
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert client.post(url).status_code == 400  # once a day: a double click sends nothing

    history = reverse("pledges:pledge-history", args=[pledge.reference])
    assert "Reminder sent by the secretariat" in client.get(history).content.decode()
    client.force_login(member_a)
    assert "Reminder sent by the secretariat" in client.get(history).content.decode()
    client.logout()
    assert "Reminder sent" not in client.get(history).content.decode()  # not public


def test_weekly_digest_counts_overdue_pledges_by_entity(
    pledge: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_digest(on=dt.date(2025, 2, 1)) == 1
    [message] = mail.outbox
    assert message.to == [secretariat.email]
    assert f"- {pledge.entity.name}: 1" in message.body
    assert "/reports/overdue/" in message.body


def test_the_weekly_digest_goes_once_a_week_when_the_job_runs_twice(
    pledge: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_digest(on=dt.date(2025, 2, 3)) == 1  # a Monday
        assert send_overdue_digest(on=dt.date(2025, 2, 3)) == 0  # beat ran it again
        assert send_overdue_digest(on=dt.date(2025, 2, 6)) == 0  # later the same week
    assert len(mail.outbox) == 1
    [claim] = Digest.objects.all()
    assert (claim.week_of, claim.overdue, claim.recipients) == (dt.date(2025, 2, 3), 1, 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_digest(on=dt.date(2025, 2, 10)) == 1  # the next week's
    assert len(mail.outbox) == 2


def test_a_concurrent_run_that_claimed_first_wins_and_no_second_mail_goes(
    pledge: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from reminders.services import _send, due_reminders

    [item] = due_reminders(on=dt.date(2025, 1, 16))
    # Another worker inserted the same claim after this run read what was already sent.
    Reminder.objects.create(
        pledge=pledge, kind=item.kind, cycle_on=item.cycle_on, due_on=item.due_on, sent_to="x@y.z"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(item) is None
    assert mail.outbox == []
    assert Reminder.objects.count() == 1
