"""Only the secretariat reaches the review queues: every view, as each member of the cast."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Pledge, PledgeUpdate, ReviewState, UpdateReviewState

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(
    make_pledge: Callable[..., Pledge],
    published_pledge: Pledge,
    make_update: Callable[..., PledgeUpdate],
) -> dict[str, Any]:
    """One pledge waiting for review and one pending update, so every URL resolves to a row."""
    return {"pledge": make_pledge(), "update": make_update(published_pledge)}


def urls(targets: dict[str, Any]) -> dict[str, str]:
    return {
        "review-queue": reverse("pledges:review-queue"),
        "review-decision": reverse("pledges:review-decision", args=[targets["pledge"].reference]),
        "update-queue": reverse("pledges:update-queue"),
        "update-review": reverse("pledges:update-review", args=[targets["update"].pk]),
    }


PAGES = ["review-queue", "review-decision", "update-queue", "update-review"]


@pytest.mark.parametrize("view", PAGES)
def test_anonymous_is_sent_to_log_in_when_opening_a_review_page(
    client: Client, targets: dict[str, Any], view: str
) -> None:
    url = urls(targets)[view]

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert f"next={url}" in response.url.replace("%2F", "/")


@pytest.mark.parametrize("view", PAGES)
@pytest.mark.parametrize("member", ["member_a", "member_b"])
def test_members_are_refused_when_opening_a_review_page(
    client: Client, targets: dict[str, Any], view: str, member: str, request: Any
) -> None:
    client.force_login(request.getfixturevalue(member))

    response = client.get(urls(targets)[view])

    assert response.status_code == 403


@pytest.mark.parametrize("view", PAGES)
def test_secretariat_sees_the_page_when_opening_a_review_page(
    secretariat_client: Client, targets: dict[str, Any], view: str
) -> None:
    response = secretariat_client.get(urls(targets)[view])

    assert response.status_code == 200


@pytest.mark.parametrize("user", ["anonymous", "member_a", "member_b"])
def test_nothing_changes_when_a_non_reviewer_posts_decisions(
    client: Client, targets: dict[str, Any], user: str, request: Any
) -> None:
    if user != "anonymous":
        client.force_login(request.getfixturevalue(user))
    pledge, update = targets["pledge"], targets["update"]
    all_urls = urls(targets)

    responses = [
        client.post(all_urls["review-decision"], {"action": "publish"}),
        client.post(reverse("pledges:review-bulk-publish"), {"pledges": [pledge.reference]}),
        client.post(all_urls["update-review"], {"action": "approve"}),
    ]

    expected = 302 if user == "anonymous" else 403
    assert [r.status_code for r in responses] == [expected] * 3
    pledge.refresh_from_db()
    update.refresh_from_db()
    assert pledge.review_state == ReviewState.SUBMITTED
    assert update.review_state == UpdateReviewState.PENDING


def test_bulk_publish_refuses_get_when_the_secretariat_opens_it(
    secretariat_client: Client,
) -> None:
    response = secretariat_client.get(reverse("pledges:review-bulk-publish"))

    assert response.status_code == 405


def test_navigation_offers_the_queues_only_when_the_user_is_secretariat(
    client: Client, member_a: Any, secretariat: Any
) -> None:
    queue = reverse("pledges:review-queue")
    updates = reverse("pledges:update-queue")

    client.force_login(member_a)
    as_member = client.get("/").text
    client.force_login(secretariat)
    as_secretariat = client.get("/").text

    assert f'href="{queue}"' not in as_member
    assert f'href="{updates}"' not in as_member
    assert f'href="{queue}"' in as_secretariat
    assert f'href="{updates}"' in as_secretariat
    assert "Updates to review" in as_secretariat
