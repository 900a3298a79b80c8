"""The overdue rule, its agreement with the progress engine, and the overdue list: contacts to
remind, sorting, pagination, empty state and the CSV download."""

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from compacts.models import Compact
from indicators.engine import recompute_compacts
from indicators.models import CompactProgressSnapshot, SliceKind
from pledges.models import Pledge
from reports.selectors import Scope, overdue_pledges

from .conftest import CUTOFF, TODAY

pytestmark = pytest.mark.django_db

URL = reverse("reports:overdue-list")
CSV_URL = reverse("reports:overdue-csv")


def _references(queryset: Any) -> set[str]:
    return set(queryset.values_list("reference", flat=True))


# --- the rule --------------------------------------------------------------------------------


def test_rule_keeps_open_pledges_silent_for_two_cycles(
    dataset: dict[str, Any], gcr: Compact
) -> None:
    overdue = _references(overdue_pledges(Scope(gcr), on=TODAY))

    assert overdue == {dataset[k].reference for k in ("p2", "p4", "p8")}


def test_fulfilled_and_discontinued_pledges_are_never_overdue(
    make_pledge: Callable[..., Pledge], gcr: Compact
) -> None:
    make_pledge(status="fulfilled", last=dt.date(2020, 1, 1))
    make_pledge(status="discontinued", last=dt.date(2020, 1, 1))

    assert not overdue_pledges(Scope(gcr), on=TODAY).exists()


def test_never_updated_pledge_is_counted_from_its_publication(
    make_pledge: Callable[..., Pledge], gcr: Compact
) -> None:
    old = make_pledge(published=CUTOFF - dt.timedelta(days=1))
    make_pledge(published=CUTOFF)

    assert _references(overdue_pledges(Scope(gcr), on=TODAY)) == {old.reference}


def test_pending_update_does_not_make_a_pledge_up_to_date(dataset: dict[str, Any]) -> None:
    # p2 has an update reported on 1 October 2026, still waiting for review.
    assert dataset["p2"].updates.get().review_state == "pending"
    assert dataset["p2"].reference in _references(
        overdue_pledges(Scope(dataset["p2"].compact), on=TODAY)
    )


def test_unpublished_pledges_are_not_overdue(
    make_pledge: Callable[..., Pledge], gcr: Compact
) -> None:
    make_pledge(review_state="withdrawn")
    make_pledge(review_state="draft")

    assert not overdue_pledges(Scope(gcr), on=TODAY).exists()


@pytest.mark.parametrize("on", [TODAY, dt.date(2026, 3, 1), dt.date(2027, 6, 30)])
def test_overdue_count_equals_the_progress_engine_figure(
    dataset: dict[str, Any], gcr: Compact, on: dt.date
) -> None:
    recompute_compacts([gcr.pk], on=on)
    snapshot = CompactProgressSnapshot.objects.get(
        compact=gcr, slice_kind=SliceKind.OVERALL, slice_key="", date=on
    )
    forum_snapshot = CompactProgressSnapshot.objects.get(
        compact=gcr, slice_kind=SliceKind.FORUM, slice_key="GRF23", date=on
    )

    assert overdue_pledges(Scope(gcr), on=on).count() == snapshot.figures["overdue"]
    assert (
        overdue_pledges(Scope(gcr, forum=dataset["p1"].forum), on=on).count()
        == forum_snapshot.figures["overdue"]
    )


# --- the list --------------------------------------------------------------------------------


def test_list_shows_each_overdue_pledge_with_the_contact_to_remind(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    response = secretariat_client.get(URL)
    rows = {p.reference: p for p in response.context["page"]}
    page = response.text

    assert set(rows) == {dataset[k].reference for k in ("p2", "p4", "p8")}
    p2, p4, p8 = (rows[dataset[k].reference] for k in ("p2", "p4", "p8"))
    # Never updated: due two cycles (a year) after publication on 15 Jan 2024.
    assert p2.days_overdue == (TODAY - dt.date(2025, 1, 15)).days
    assert p8.days_overdue == 1
    # The pledge's own contact; else the entity's focal point; else nobody.
    assert (p4.contact.name, p4.contact.email, p4.contact.from_entity) == (
        "Pat Lee",
        "pat@example.org",
        False,
    )
    assert (p2.contact.email, p2.contact.from_entity) == ("focal@council.example", True)
    assert p8.contact.email == ""
    assert '<a href="mailto:pat@example.org">pat@example.org</a>' in page
    assert '<a href="mailto:focal@council.example">focal@council.example</a>' in page
    assert "no contact on record" in page
    assert f'<a href="{reverse("pledges:pledge-detail", args=[p2.reference])}">' in page
    assert 'never <span class="muted">(published 01/15/2024)</span>' in page


def test_list_narrows_to_a_forum(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    response = secretariat_client.get(URL, {"compact": "GCR", "forum": "GRF19"})

    assert [p.reference for p in response.context["page"]] == [dataset["p8"].reference]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("overdue", ["p2", "p4", "p8"]),
        ("recent", ["p8", "p4", "p2"]),
        ("reference", ["p8", "p2", "p4"]),  # GRF19-… before GRF23-…
        ("forum", ["p8", "p2", "p4"]),
        ("entity", None),
        ("'; DROP TABLE x", ["p2", "p4", "p8"]),  # not allowlisted: the default order
    ],
)
def test_list_sorts_by_allowlisted_columns(
    secretariat_client: Client,
    dataset: dict[str, Any],
    today: dt.date,
    sort: str,
    expected: list[str] | None,
) -> None:
    response = secretariat_client.get(URL, {"sort": sort})
    listed = [p.reference for p in response.context["page"]]

    if expected is None:  # entity names come from a sequence: compare with the sorted names
        names = [p.entity.name for p in response.context["page"]]
        assert names == sorted(names)
    else:
        assert listed == [dataset[k].reference for k in expected]


def test_list_paginates_and_keeps_the_sort_in_page_links(
    secretariat_client: Client, make_pledge: Callable[..., Pledge], today: dt.date
) -> None:
    for _ in range(27):
        make_pledge()

    first = secretariat_client.get(URL, {"sort": "reference"})
    second = secretariat_client.get(URL, {"sort": "reference", "page": "2"})

    assert first.context["page"].paginator.count == 27
    assert len(first.context["page"]) == 25
    assert [p.reference for p in second.context["page"]] == ["GRF23-00026", "GRF23-00027"]
    assert 'href="?sort=reference&amp;page=2"' in first.text


def test_empty_state_when_nothing_is_overdue(
    secretariat_client: Client, make_pledge: Callable[..., Pledge], today: dt.date
) -> None:
    make_pledge(status="in_progress", last=dt.date(2026, 10, 1))

    response = secretariat_client.get(URL)

    assert response.status_code == 200
    assert "No pledge is overdue" in response.text
    assert CSV_URL not in response.text


def test_list_reports_invalid_filters_on_their_field(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    response = secretariat_client.get(URL, {"compact": "GCM", "forum": "GRF23"})

    assert response.status_code == 400
    assert "GRF23 is a forum of the GCR, not of the GCM." in response.text


# --- CSV -------------------------------------------------------------------------------------


def test_csv_holds_the_whole_list_in_the_chosen_order(
    secretariat_client: Client,
    dataset: dict[str, Any],
    make_pledge: Callable[..., Pledge],
    today: dt.date,
) -> None:
    for _ in range(30):
        make_pledge()

    response = secretariat_client.get(CSV_URL, {"sort": "recent"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="overdue-gcr-2026-11-23.csv"' in response["Content-Disposition"]
    assert rows[0][:3] == ["Reference", "Title", "Entity"]
    assert len(rows) == 1 + 33  # every overdue pledge, not just a page
    p8, p4 = rows[1], rows[2]
    assert p8[0] == dataset["p8"].reference
    assert p8[5:7] == ["2025-11-22", "1"]
    assert p4[7:] == ["Pat Lee", "pat@example.org", "pledge"]
    p2 = next(r for r in rows if r[0] == dataset["p2"].reference)
    due = dt.date(2025, 1, 15)  # two cycles after publication on 15 January 2024
    assert p2[4:] == [
        "No update yet",
        "never",
        str((TODAY - due).days),
        "Fay Cal",
        "focal@council.example",
        "entity",
    ]


def test_csv_with_invalid_filters_is_a_400_not_a_file(
    secretariat_client: Client, dataset: dict[str, Any], today: dt.date
) -> None:
    response = secretariat_client.get(CSV_URL, {"compact": "NOPE"})

    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert "Compact: Select a valid choice." in response.content.decode()
