"""Reporting rounds (issue 17, item 4c): the secretariat's pages (list, create, edit, close
early with a confirmation, audited), the status derived from the dates, updates submitted for a
round (open on the day of submission, of the pledge's compact) and the API resource."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from compacts.models import Compact
from core.audit import entries_for
from forums.models import ReportingRound, RoundStatus
from pledges.models import Pledge, PledgeUpdate
from pledges.services import UpdateInput, submit_update

pytestmark = pytest.mark.django_db

ROUNDS = "/review/rounds/"


def _round_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "GCR reporting round 2026",
        "compact": Compact.objects.get(code="GCR").pk,
        "forum": "",
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-31",
    }
    data.update(overrides)
    return data


def test_the_secretariat_creates_a_round_through_the_page_and_it_is_audited(
    reference_data: None, secretariat: Any, client: Client, frozen_now: dt.datetime
) -> None:
    client.force_login(secretariat)

    response = client.post(f"{ROUNDS}new/", _round_form())
    listing = client.get(ROUNDS).content.decode()

    created = ReportingRound.objects.get()
    assert response.status_code == 302
    assert created.forum is None
    assert created.status == RoundStatus.OPEN
    assert "GCR reporting round 2026" in listing
    assert "Open" in listing
    assert entries_for(created).get().action == "forums.round.created"


def test_a_round_that_closes_before_it_opens_is_refused_on_its_field(
    reference_data: None, secretariat: Any, client: Client
) -> None:
    client.force_login(secretariat)

    response = client.post(f"{ROUNDS}new/", _round_form(closes_on="2026-10-01"))

    assert response.status_code == 400
    assert "A round cannot close before it opens." in response.content.decode()
    assert 'id="id_closes_on_error"' in response.content.decode()
    assert not ReportingRound.objects.exists()


def test_only_the_secretariat_reaches_the_round_pages(
    make_round: Callable[..., ReportingRound], member_a: Any, client: Client
) -> None:
    round_ = make_round()
    urls = [ROUNDS, f"{ROUNDS}new/", f"{ROUNDS}{round_.pk}/", f"{ROUNDS}{round_.pk}/close/"]

    assert all(client.get(url).status_code == 302 for url in urls)  # to the login page
    client.force_login(member_a)
    assert all(client.get(url).status_code == 403 for url in urls)
    assert client.post(f"{ROUNDS}new/", _round_form()).status_code == 403
    assert ReportingRound.objects.count() == 1


@pytest.mark.parametrize(
    ("opens_on", "closes_on", "closed_early_on", "status"),
    [
        (dt.date(2026, 12, 1), dt.date(2026, 12, 31), None, RoundStatus.SCHEDULED),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 19), None, RoundStatus.OPEN),  # last day
        (dt.date(2026, 10, 1), dt.date(2026, 11, 18), None, RoundStatus.CLOSED),
        (dt.date(2026, 11, 1), dt.date(2026, 12, 31), dt.date(2026, 11, 19), RoundStatus.CLOSED),
    ],
)
def test_the_status_follows_from_the_dates_and_an_early_close(
    make_round: Callable[..., ReportingRound],
    frozen_now: dt.datetime,
    opens_on: dt.date,
    closes_on: dt.date,
    closed_early_on: dt.date | None,
    status: str,
) -> None:
    round_ = make_round(opens_on=opens_on, closes_on=closes_on, closed_early_on=closed_early_on)

    assert round_.status == status
    assert set(ReportingRound.objects.open_on(frozen_now.date())) == (
        {round_} if status == RoundStatus.OPEN else set()
    )


def test_closing_early_asks_for_confirmation_then_closes_from_today(
    make_round: Callable[..., ReportingRound],
    secretariat: Any,
    client: Client,
    frozen_now: dt.datetime,
) -> None:
    round_ = make_round()
    client.force_login(secretariat)

    confirm = client.get(f"{ROUNDS}{round_.pk}/close/").content.decode()
    client.post(f"{ROUNDS}{round_.pk}/close/", {"reason": "Forum moved."})
    again = client.post(f"{ROUNDS}{round_.pk}/close/", follow=True).content.decode()

    round_.refresh_from_db()
    assert "Yes, close the round" in confirm
    assert round_.closed_early_on == frozen_now.date()
    assert round_.status == RoundStatus.CLOSED
    assert "Only an open round can be closed early." in again
    closed = entries_for(round_).get(action="forums.round.closed")
    assert closed.reason == "Forum moved."
    assert closed.actor == secretariat


def test_editing_a_round_is_audited_and_a_closed_round_cannot_change(
    make_round: Callable[..., ReportingRound],
    secretariat: Any,
    client: Client,
    frozen_now: dt.datetime,
) -> None:
    round_ = make_round()
    old = make_round(opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2025, 2, 1))
    client.force_login(secretariat)

    client.post(f"{ROUNDS}{round_.pk}/", _round_form(title="Renamed round"))
    refused = client.post(f"{ROUNDS}{old.pk}/", _round_form(title="Rewritten history"))

    round_.refresh_from_db()
    old.refresh_from_db()
    assert round_.title == "Renamed round"
    assert entries_for(round_).filter(action="forums.round.changed").exists()
    assert refused.status_code == 400
    assert old.title == "GCR reporting round 2026"


def _report(**overrides: Any) -> UpdateInput:
    values: dict[str, Any] = {
        "status": "in_progress",
        "narrative": "Half of the schools enrol refugee children.",
        "reported_on": dt.date(2026, 11, 10),
    }
    values.update(overrides)
    return UpdateInput(**values)


def test_an_update_answers_an_open_round_of_the_pledge_s_compact_only(
    published: Pledge,
    member_a: Any,
    make_round: Callable[..., ReportingRound],
    frozen_now: dt.datetime,
) -> None:
    open_round = make_round()
    closed = make_round(opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 3, 31))
    scheduled = make_round(opens_on=dt.date(2026, 12, 1))
    gcm = make_round(compact=Compact.objects.get(code="GCM"))

    update = submit_update(pledge=published, data=_report(round=open_round), by=member_a)
    for refused_round in (closed, scheduled, gcm):
        with pytest.raises(ValidationError) as refused:
            submit_update(pledge=published, data=_report(round=refused_round), by=member_a)
        assert "round" in refused.value.message_dict

    assert update.round == open_round
    assert PledgeUpdate.objects.count() == 1


def test_the_update_form_offers_the_open_rounds_of_the_compact(
    published: Pledge,
    member_a: Any,
    make_round: Callable[..., ReportingRound],
    client: Client,
    frozen_now: dt.datetime,
) -> None:
    open_round = make_round(title="Open GCR round")
    make_round(
        title="Closed GCR round", opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 2, 1)
    )
    make_round(title="Open GCM round", compact=Compact.objects.get(code="GCM"))
    client.force_login(member_a)
    url = f"/pledges/{published.reference}/updates/new/"

    form = client.get(url).content.decode()
    client.post(
        url,
        {
            "round": open_round.pk,
            "status": "in_progress",
            "reported_on": "2026-11-10",
            "narrative": "Progress in the round.",
        },
    )

    assert "Open GCR round" in form
    assert "Closed GCR round" not in form
    assert "Open GCM round" not in form
    assert PledgeUpdate.objects.get().round == open_round


def test_the_api_lists_rounds_and_shows_the_round_of_an_update(
    published: Pledge,
    member_a: Any,
    make_round: Callable[..., ReportingRound],
    frozen_now: dt.datetime,
) -> None:
    open_round = make_round()
    make_round(title="Old round", opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2025, 2, 1))
    api = APIClient()
    api.force_authenticate(member_a)

    listed = APIClient().get("/api/v1/reporting-rounds/", {"status": "open"}).json()
    created = api.post(
        "/api/v1/pledge-updates/",
        {
            "pledge": published.reference,
            "status": "in_progress",
            "narrative": "Through the API.",
            "reported_on": "2026-11-10",
            "round": open_round.pk,
        },
        format="json",
    )

    assert [r["title"] for r in listed["results"]] == ["GCR reporting round 2026"]
    assert listed["results"][0]["status"] == "open"
    assert listed["results"][0]["forum"] is None
    assert created.status_code == 201, created.content
    assert created.json()["round"] == open_round.pk
    assert created.json()["entity"]["name"] == published.entity.name


def test_the_round_list_says_so_when_there_is_no_round(
    reference_data: None, secretariat: Any, client: Client
) -> None:
    client.force_login(secretariat)

    assert "No reporting round yet." in client.get(ROUNDS).content.decode()
