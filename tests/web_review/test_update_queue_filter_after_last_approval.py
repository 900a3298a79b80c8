"""Approving the last pending update of the entity the queue is filtered by lands back on the
filtered queue, which says nothing of that entity is waiting — not "Select a valid choice"."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Pledge, PledgeUpdate
from pledges.services import UpdateInput, submit_update
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "pledges:update-queue"


@pytest.fixture
def other_update(make_pledge: Callable[..., Pledge]) -> PledgeUpdate:
    """A pending update of another entity, so the queue is not empty as a whole."""
    other = MembershipFactory(user=UserFactory(email="other@example.org"))
    pledge = make_pledge(state="published", entity=other.entity, by=other.user)
    return submit_update(
        pledge=pledge,
        data=UpdateInput(status="planning", narrative="Planning.", reported_on=dt.date(2024, 1, 1)),
        by=other.user,
    )


def test_approving_the_last_update_of_the_filtered_entity_shows_the_filtered_empty_queue(
    secretariat_client: Client,
    published_pledge: Pledge,
    make_update: Callable[..., PledgeUpdate],
    other_update: PledgeUpdate,
) -> None:
    update = make_update(published_pledge)
    entity = published_pledge.entity
    queue = reverse(QUEUE) + f"?entity={entity.pk}"

    decided = secretariat_client.post(
        reverse("pledges:update-review", args=[update.pk]),
        {"action": "approve", "reason": "", "next": queue},
    )
    assert decided.status_code == 302
    assert decided.url == queue
    landed = secretariat_client.get(decided.url)

    assert landed.status_code == 200
    assert "Select a valid choice" not in landed.text
    assert not landed.context["filter"].form.errors
    # The filter is kept (the entity stays selected) and the queue says nothing of it waits.
    assert landed.context["filter"].form.cleaned_data["entity"] == entity
    assert f'<option value="{entity.pk}" selected>' in landed.text
    assert [row.pk for row in landed.context["page_obj"]] == []
    assert "No update waiting for review matches these filters." in landed.text


def test_entity_filter_still_lists_only_entities_with_pending_updates(
    secretariat_client: Client, published_pledge: Pledge, other_update: PledgeUpdate
) -> None:
    # Entity A has nothing waiting and is not selected: it is not offered.
    response = secretariat_client.get(reverse(QUEUE))

    choices: Any = response.context["filter"].form.fields["entity"].queryset
    assert list(choices) == [other_update.pledge.entity]


def test_an_unknown_entity_id_is_still_refused_without_a_500(
    secretariat_client: Client, other_update: PledgeUpdate
) -> None:
    response = secretariat_client.get(reverse(QUEUE), {"entity": "999999"})

    assert response.status_code == 200
    assert response.context["filter"].form.errors


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-3", "1e3"])
def test_an_odd_entity_value_is_an_invalid_choice_not_a_500(
    secretariat_client: Client, other_update: PledgeUpdate, value: str
) -> None:
    response = secretariat_client.get(reverse(QUEUE), {"entity": value})

    assert response.status_code == 200
    assert response.context["filter"].form.errors
