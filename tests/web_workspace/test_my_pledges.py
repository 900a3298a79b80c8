""" "My pledges": the pledges of the user's entities and co-pledges, filtered, sorted, paged."""

from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge, ReviewState
from pledges.services import invite_participant
from tests.factories import PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/my/"


def test_login_is_required_when_anonymous(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_without_entity_is_pointed_to_register_or_join(
    logged_in: Any, reference_data: None
) -> None:
    response = logged_in(UserFactory(email="loner@example.org")).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "You do not act for any entity yet" in page
    assert 'href="/entities/register/"' in page
    assert 'href="/entities/join/"' in page


def test_empty_state_offers_to_create_a_pledge_when_entity_has_none(
    logged_in: Any, member_a: Any, reference_data: None
) -> None:
    response = logged_in(member_a).get(URL)

    page = response.content.decode()
    assert "Your entities have no pledges yet." in page
    assert page.count('href="/my/pledges/new/"') >= 2


def test_member_sees_own_and_co_pledged_pledges_but_not_others_when_listing(
    logged_in: Any, draft: Pledge, b_draft: Pledge, member_a: Any, member_b: Any, entity_a: Any
) -> None:
    invite_participant(pledge=b_draft, entity=entity_a, by=member_b)
    hidden = PledgeFactory(reference="GRF23-09999", title="Somebody else's pledge")

    response = logged_in(member_a).get(URL)

    page = response.content.decode()
    assert draft.reference in page
    assert b_draft.reference in page
    assert "co-pledge" in page
    assert hidden.reference not in page
    # The invitation can be answered from the list.
    assert "Invitations to co-pledge" in page
    assert f'action="/participants/{b_draft.participants.get().pk}/respond/"' in page


def test_list_shows_review_state_implementation_and_last_update(
    logged_in: Any, published: Pledge, member_a: Any
) -> None:
    Pledge.objects.filter(pk=published.pk).update(
        implementation_status="in_progress", last_update_on="2024-06-30"
    )

    page = logged_in(member_a).get(URL).content.decode()

    assert "Published" in page
    assert "In progress" in page
    assert 'datetime="2024-06-30"' in page


def test_filter_by_state_keeps_only_that_state(
    logged_in: Any, draft: Pledge, published: Pledge, member_a: Any
) -> None:
    response = logged_in(member_a).get(URL, {"state": ReviewState.PUBLISHED})

    page = response.content.decode()
    assert published.reference in page
    assert draft.reference not in page


def test_filter_with_no_match_says_so_when_no_pledge_in_state(
    logged_in: Any, draft: Pledge, member_a: Any
) -> None:
    page = logged_in(member_a).get(URL, {"state": "rejected"}).content.decode()

    assert "None of your pledges is in this state." in page


def test_unknown_filter_values_are_ignored_when_tampered(
    logged_in: Any, draft: Pledge, member_a: Any
) -> None:
    response = logged_in(member_a).get(URL, {"state": "nonsense", "sort": "password"})

    assert response.status_code == 200
    assert draft.reference in response.content.decode()


def test_sort_by_reference_orders_rows(logged_in: Any, member_a: Any, entity_a: Any) -> None:
    PledgeFactory(entity=entity_a, reference="GRF23-00002", title="Second")
    PledgeFactory(entity=entity_a, reference="GRF23-00001", title="First")

    page = logged_in(member_a).get(URL, {"sort": "reference"}).content.decode()

    assert page.index("GRF23-00001") < page.index("GRF23-00002")


def test_pagination_keeps_filter_and_sort_when_paging(
    logged_in: Any, member_a: Any, entity_a: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(1, 26):
        PledgeFactory(entity=entity_a, reference=f"GRF23-{number:05d}")
    client = logged_in(member_a)

    with django_assert_max_num_queries(10):
        response = client.get(URL, {"state": "draft", "sort": "reference"})

    page = response.content.decode()
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1<' in page
    assert "GRF23-00020" in page
    assert "GRF23-00021" not in page
    assert 'href="?state=draft&amp;sort=reference&amp;page=2"' in page
    second = client.get(URL, {"state": "draft", "sort": "reference", "page": 2})
    assert "GRF23-00025" in second.content.decode()


def test_secretariat_without_entity_sees_the_register_message(
    logged_in: Any, secretariat: Any, reference_data: None
) -> None:
    page = logged_in(secretariat).get(URL).content.decode()

    assert "You do not act for any entity yet" in page
