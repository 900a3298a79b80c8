"""The review queue: what it lists, in which order, and how the secretariat narrows it."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from compacts.models import Compact
from forums.models import Forum
from pledges.models import EntityType, Pledge
from tests.factories import EntityFactory, MembershipFactory, UserFactory

from .conftest import days_ago

pytestmark = pytest.mark.django_db

QUEUE = "pledges:review-queue"


def references(response: Any) -> list[str]:
    return [pledge.reference for pledge in response.context["page_obj"]]


@pytest.fixture
def member_of_a_state(reference_data: None) -> Any:
    """An active member of a verified State, so entity-type filters have two types to tell."""
    entity = EntityFactory(
        name="Republic of Examplia", acronym="REX", entity_type=EntityType.objects.get(code="state")
    )
    return MembershipFactory(user=UserFactory(email="state@example.org"), entity=entity)


def test_queue_lists_the_longest_waiting_first_when_pledges_were_submitted_on_different_days(
    frozen_now: dt.datetime, secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    recent = make_pledge(submitted_at=days_ago(1))
    oldest = make_pledge(submitted_at=days_ago(30))
    middle = make_pledge(state="resubmitted", submitted_at=days_ago(7))

    response = secretariat_client.get(reverse(QUEUE))

    assert references(response) == [oldest.reference, middle.reference, recent.reference]
    page = response.text
    positions = [page.index(p.reference) for p in (oldest, middle, recent)]
    assert positions == sorted(positions)
    # How long the oldest has waited: "4 weeks, 2 days" on the frozen day (on a real 5 December,
    # 30 days are "1 month": hence the frozen clock).
    assert "4\xa0weeks" in page


def test_queue_shows_only_pledges_awaiting_review_when_other_states_exist(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    submitted = make_pledge()
    resubmitted = make_pledge(state="resubmitted")
    make_pledge(state="draft")
    make_pledge(state="published")

    response = secretariat_client.get(reverse(QUEUE))

    assert sorted(references(response)) == sorted([submitted.reference, resubmitted.reference])
    assert response.context["counts"] == {"total": 2, "submitted": 1, "resubmitted": 1}
    assert "2 pledges are waiting for review" in response.text


def test_row_shows_what_the_reviewer_needs_when_a_pledge_waits(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge(title="Open schools to refugee children")

    page = secretariat_client.get(reverse(QUEUE)).text

    assert reverse("pledges:pledge-detail", args=[pledge.reference]) in page
    assert "Open schools to refugee children" in page
    assert pledge.entity.name in page
    assert "Global Refugee Forum 2023" in page
    assert "2. Refugee self-reliance" in page
    assert f'<label for="select-{pledge.pk}"' in page
    assert f"Select {pledge.reference}" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "not verified" not in page


def test_row_flags_the_entity_when_it_is_not_verified(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    pledge = make_pledge()
    type(pledge.entity).objects.filter(pk=pledge.entity_id).update(
        is_verified=False, verified_at=None
    )

    page = secretariat_client.get(reverse(QUEUE)).text

    assert "not verified" in page


def test_empty_state_is_shown_when_nothing_waits(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    make_pledge(state="published")

    response = secretariat_client.get(reverse(QUEUE))

    assert response.status_code == 200
    assert "Nothing waiting for review." in response.text
    assert "<table" not in response.text


@pytest.mark.parametrize(
    ("field", "value_of", "expected"),
    [
        ("compact", lambda: Compact.objects.get(code="GCM").pk, ["gcm"]),
        ("forum", lambda: Forum.objects.get(code="IMRF26").pk, ["gcm"]),
        ("entity_type", lambda: EntityType.objects.get(code="state").pk, ["state"]),
        ("state", lambda: "resubmitted", ["resubmitted"]),
        ("q", lambda: "examplia", ["state"]),
        ("q", lambda: "REX", ["state"]),
        ("q", lambda: "migrant pathways", ["gcm"]),
    ],
)
def test_queue_narrows_to_matching_pledges_when_a_filter_is_applied(
    secretariat_client: Client,
    make_pledge: Callable[..., Pledge],
    member_of_a_state: Any,
    field: str,
    value_of: Callable[[], Any],
    expected: list[str],
) -> None:
    pledges = {
        "gcr": make_pledge(),
        "gcm": make_pledge(compact_code="GCM", title="Migrant pathways to decent work"),
        "resubmitted": make_pledge(state="resubmitted"),
        "state": make_pledge(entity=member_of_a_state.entity, by=member_of_a_state.user),
    }

    response = secretariat_client.get(reverse(QUEUE), {field: value_of()})

    assert references(response) == [pledges[name].reference for name in expected]
    assert "Clear filters" in response.text


def test_search_finds_a_pledge_when_given_its_reference(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    first, second = make_pledge(), make_pledge()

    response = secretariat_client.get(reverse(QUEUE), {"q": second.reference.lower()})

    assert references(response) == [second.reference]
    assert first.reference not in references(response)


def test_filters_say_so_when_no_pledge_matches(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    make_pledge()

    response = secretariat_client.get(reverse(QUEUE), {"q": "nothing like this"})

    assert references(response) == []
    assert "No pledge waiting for review matches these filters." in response.text


def test_invalid_filter_value_is_reported_when_given(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    make_pledge()

    response = secretariat_client.get(reverse(QUEUE), {"compact": "999999"})

    assert response.status_code == 200
    assert 'role="alert"' in response.text


def test_pagination_keeps_the_filters_when_moving_to_the_next_page(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    for day in range(27):
        make_pledge(submitted_at=days_ago(60 - day))

    first = secretariat_client.get(reverse(QUEUE), {"compact": Compact.objects.get(code="GCR").pk})
    compact = Compact.objects.get(code="GCR").pk
    second = secretariat_client.get(reverse(QUEUE), {"compact": compact, "page": 2})

    assert len(references(first)) == 25
    assert f"?compact={compact}&amp;page=2" in first.text
    assert len(references(second)) == 2
    assert f"?compact={compact}&amp;page=1" in second.text
    current = 'aria-current="page"><span class="visually-hidden">Page </span>2<'
    assert current in second.text  # the current page, the last
    assert 'rel="next"' not in second.text


def test_queue_query_count_stays_flat_when_rows_increase(
    secretariat_client: Client,
    make_pledge: Callable[..., Pledge],
    django_assert_max_num_queries: Any,
) -> None:
    make_pledge()
    with django_assert_max_num_queries(14):
        few = secretariat_client.get(reverse(QUEUE))
    for _ in range(12):
        make_pledge(state="resubmitted")

    with django_assert_max_num_queries(14):
        many = secretariat_client.get(reverse(QUEUE))

    assert len(references(few)) == 1
    assert len(references(many)) == 13
