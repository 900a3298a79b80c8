"""A progress update posted three times at once (a double click, a client's retry) is created
once: three threads on three PostgreSQL connections, released together. Every request is
answered as a success (the same update), and the secretariat is notified once."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from core.audit import entries_for
from pledges.models import Pledge, PledgeUpdate
from pledges.services import UpdateInput, submit_update, transition_pledge

from .conftest import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 3  # a race that is lost once in a while must show up
AT_ONCE = 3
REPORT = {
    "status": "in_progress",
    "narrative": "Enrolment started in three counties.",
    "reported_on": "2024-06-30",
}


@pytest.fixture
def published(submitted_pledge: Callable[..., Pledge], secretariat: User) -> Pledge:
    pledge = submitted_pledge()
    return transition_pledge(pledge=pledge, action="publish", by=secretariat)


def submissions(pledge: Pledge) -> int:
    return sum(
        entries_for(update).filter(action="pledges.update.submitted").count()
        for update in PledgeUpdate.objects.filter(pledge=pledge)
    )


def test_the_same_report_posted_three_times_at_once_on_the_web_is_created_once(
    published: Pledge, member_a: User
) -> None:
    url = f"/pledges/{published.reference}/updates/new/"
    for round_number in range(ROUNDS):
        clients = []
        for _ in range(AT_ONCE):
            client = Client()
            client.force_login(member_a)
            clients.append(client)
        report = {**REPORT, "narrative": f"Round {round_number}: {REPORT['narrative']}"}

        responses = run_at_once(*(lambda c=c, r=report: c.post(url, r) for c in clients))

        assert [r.status_code for r in responses] == [302] * AT_ONCE, responses
        assert PledgeUpdate.objects.filter(pledge=published).count() == round_number + 1
    assert submissions(published) == ROUNDS


def test_the_same_report_posted_three_times_at_once_through_the_api_is_created_once(
    published: Pledge, member_a: User
) -> None:
    clients = []
    for _ in range(AT_ONCE):
        client = APIClient()
        client.force_authenticate(member_a)
        clients.append(client)
    url = f"/api/v1/pledges/{published.reference}/updates/"
    mail.outbox.clear()

    responses = run_at_once(*(lambda c=c: c.post(url, REPORT, format="json") for c in clients))

    assert [r.status_code for r in responses] == [201] * AT_ONCE, responses
    assert len({r.json()["id"] for r in responses}) == 1, "each answer names the one update"
    assert PledgeUpdate.objects.filter(pledge=published).count() == 1
    assert submissions(published) == 1


def test_the_same_report_through_the_service_at_once_is_created_once(
    published: Pledge, member_a: User
) -> None:
    data = UpdateInput(
        status="in_progress", narrative="Enrolment started.", reported_on=dt.date(2024, 6, 30)
    )

    outcomes = run_at_once(
        *(lambda: submit_update(pledge=published, data=data, by=member_a) for _ in range(AT_ONCE))
    )

    assert all(isinstance(o, PledgeUpdate) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert PledgeUpdate.objects.filter(pledge=published).count() == 1


def test_a_different_report_on_the_same_pledge_is_still_a_new_update(
    published: Pledge, member_a: User
) -> None:
    first = UpdateInput(status="in_progress", narrative="Started.", reported_on=dt.date(2024, 6, 1))
    second = UpdateInput(
        status="in_progress", narrative="Half way.", reported_on=dt.date(2024, 6, 30)
    )

    submit_update(pledge=published, data=first, by=member_a)
    submit_update(pledge=published, data=second, by=member_a)
    submit_update(pledge=published, data=first, by=member_a)  # a retry of the first

    assert PledgeUpdate.objects.filter(pledge=published).count() == 2
