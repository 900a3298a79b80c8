"""Progress updates waiting for review: the queue, the review page, approve and return."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from compacts.models import Compact
from core.audit import entries_for
from forums.models import Forum
from pledges.models import Pledge, PledgeUpdate, UpdateReviewState
from pledges.services import UpdateInput, review_update, submit_update
from tests.factories import MembershipFactory, UserFactory

from .conftest import days_ago

pytestmark = pytest.mark.django_db

QUEUE = "pledges:update-queue"


def review_url(update: PledgeUpdate) -> str:
    return reverse("pledges:update-review", args=[update.pk])


def rows(response: Any) -> list[int]:
    return [update.pk for update in response.context["page_obj"]]


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------


def test_queue_lists_pending_updates_longest_waiting_first_when_several_wait(
    secretariat_client: Client,
    published_pledge: Pledge,
    make_update: Callable[..., PledgeUpdate],
    secretariat: Any,
) -> None:
    recent = make_update(published_pledge, created_at=days_ago(1))
    oldest = make_update(published_pledge, created_at=days_ago(20))
    approved = make_update(published_pledge, created_at=days_ago(40))
    review_update(update=approved, action="approve", by=secretariat)

    response = secretariat_client.get(reverse(QUEUE))

    assert rows(response) == [oldest.pk, recent.pk]
    assert "2 progress updates are waiting for review." in response.text
    assert review_url(oldest) in response.text


def test_empty_state_is_shown_when_no_update_waits(secretariat_client: Client) -> None:
    response = secretariat_client.get(reverse(QUEUE))

    assert response.status_code == 200
    assert "Nothing waiting for review." in response.text


@pytest.fixture
def two_compacts(
    make_pledge: Callable[..., Pledge],
    make_update: Callable[..., PledgeUpdate],
    published_pledge: Pledge,
    reference_data: None,
) -> dict[str, PledgeUpdate]:
    """A pending update on a GCR pledge of entity A and one on a GCM pledge of another entity."""
    gcr = make_update(published_pledge)
    other = MembershipFactory(user=UserFactory(email="other@example.org"))
    gcm_pledge = make_pledge(
        state="published", compact_code="GCM", entity=other.entity, by=other.user
    )
    gcm = submit_update(
        pledge=gcm_pledge,
        data=UpdateInput(status="planning", narrative="Planning.", reported_on=dt.date(2024, 1, 1)),
        by=other.user,
    )
    return {"gcr": gcr, "gcm": gcm}


@pytest.mark.parametrize(
    ("field", "value_of", "expected"),
    [
        ("compact", lambda u: Compact.objects.get(code="GCM").pk, "gcm"),
        ("forum", lambda u: Forum.objects.get(code="GRF23").pk, "gcr"),
        ("entity", lambda u: u["gcm"].pledge.entity_id, "gcm"),
    ],
)
def test_queue_narrows_to_matching_updates_when_a_filter_is_applied(
    secretariat_client: Client,
    two_compacts: dict[str, PledgeUpdate],
    field: str,
    value_of: Callable[[dict[str, PledgeUpdate]], Any],
    expected: str,
) -> None:
    response = secretariat_client.get(reverse(QUEUE), {field: value_of(two_compacts)})

    assert rows(response) == [two_compacts[expected].pk]


def test_pagination_keeps_the_filters_when_moving_to_the_next_page(
    secretariat_client: Client,
    published_pledge: Pledge,
    make_update: Callable[..., PledgeUpdate],
) -> None:
    for day in range(26):
        make_update(published_pledge, created_at=days_ago(30 - day))
    compact = published_pledge.compact_id

    first = secretariat_client.get(reverse(QUEUE), {"compact": compact})
    second = secretariat_client.get(reverse(QUEUE), {"compact": compact, "page": 2})

    assert len(rows(first)) == 25
    assert f"?compact={compact}&amp;page=2" in first.text
    assert len(rows(second)) == 1


def test_queue_query_count_stays_flat_when_rows_increase(
    secretariat_client: Client,
    published_pledge: Pledge,
    make_update: Callable[..., PledgeUpdate],
    django_assert_max_num_queries: Any,
) -> None:
    make_update(published_pledge)
    with django_assert_max_num_queries(14):
        few = secretariat_client.get(reverse(QUEUE))
    for _ in range(12):
        make_update(published_pledge)

    with django_assert_max_num_queries(14):
        many = secretariat_client.get(reverse(QUEUE))

    assert len(rows(few)) == 1
    assert len(rows(many)) == 13


# --------------------------------------------------------------------------------------------
# The review page
# --------------------------------------------------------------------------------------------


@pytest.fixture
def detailed_update(
    published_pledge: Pledge, make_update: Callable[..., PledgeUpdate], secretariat: Any
) -> PledgeUpdate:
    """A pending update with actuals, evidence and money, after one approved update."""
    enrolled = published_pledge.targets.order_by("id").first()
    earlier = make_update(
        published_pledge,
        status="planning",
        narrative="Schools identified in Turkana.",
        reported_on=dt.date(2024, 1, 31),
        actuals={enrolled.pk: Decimal("1200")},
    )
    review_update(update=earlier, action="approve", by=secretariat)
    return make_update(
        published_pledge,
        narrative="Enrolment started in three counties.",
        challenges="Teachers are scarce.",
        evidence_links=["https://example.org/report.pdf"],
        disbursed_amount=Decimal("250000"),
        actuals={enrolled.pk: Decimal("2500")},
    )


def test_review_page_shows_everything_needed_to_judge_when_an_update_is_opened(
    secretariat_client: Client, detailed_update: PledgeUpdate
) -> None:
    response = secretariat_client.get(review_url(detailed_update))

    page = response.text
    assert response.status_code == 200
    assert "In progress" in page
    assert "Enrolment started in three counties." in page
    assert "Teachers are scarce." in page
    assert 'href="https://example.org/report.pdf"' in page
    assert "250,000.00 USD" in page
    assert "1,000,000.00 USD" in page
    assert "25.0 % of the pledged amount" in page
    targets = {row["target"].metric: row for row in response.context["targets"]}
    assert targets["Children enrolled"]["reported"] == Decimal("2500")
    assert targets["Children enrolled"]["share"] == Decimal("25")
    assert targets["Children enrolled"]["approved"] == Decimal("1200")
    assert targets["Share in school"]["reported"] is None  # missing, never zero
    assert "not reported" in page
    assert "Schools identified in Turkana." in page  # the previous approved update
    assert reverse("pledges:pledge-detail", args=[detailed_update.pledge.reference]) in page
    assert 'name="action" value="approve"' in page
    assert 'name="action" value="return"' in page


def test_update_is_approved_and_counts_when_the_secretariat_approves_it(
    secretariat_client: Client, detailed_update: PledgeUpdate
) -> None:
    response = secretariat_client.post(review_url(detailed_update), {"action": "approve"})

    assert response.status_code == 302
    assert response.url == reverse(QUEUE)
    detailed_update.refresh_from_db()
    assert detailed_update.review_state == UpdateReviewState.APPROVED
    pledge = Pledge.objects.get(pk=detailed_update.pledge_id)
    assert pledge.implementation_status == "in_progress"
    assert messages_of(response) == [
        f"The update on {pledge.reference} is approved and now counts in the figures."
    ]


def test_return_is_refused_and_the_update_stays_pending_when_no_reason_is_given(
    secretariat_client: Client, detailed_update: PledgeUpdate
) -> None:
    response = secretariat_client.post(
        review_url(detailed_update), {"action": "return", "reason": ""}
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "Give a reason: the submitter will see it." in response.text
    detailed_update.refresh_from_db()
    assert detailed_update.review_state == UpdateReviewState.PENDING


def test_update_is_returned_with_the_reason_recorded_when_a_reason_is_given(
    secretariat_client: Client, detailed_update: PledgeUpdate
) -> None:
    back = reverse(QUEUE) + "?compact=1"

    response = secretariat_client.post(
        review_url(detailed_update),
        {"action": "return", "reason": "Attach the enrolment report.", "next": back},
    )

    assert response.url == back
    detailed_update.refresh_from_db()
    assert detailed_update.review_state == UpdateReviewState.RETURNED
    assert detailed_update.review_note == "Attach the enrolment report."
    assert entries_for(detailed_update).get(action="pledges.update.return").reason == (
        "Attach the enrolment report."
    )


def test_second_review_is_refused_with_a_clear_message_when_the_update_was_already_reviewed(
    secretariat_client: Client, detailed_update: PledgeUpdate, secretariat: Any
) -> None:
    review_update(update=detailed_update, action="approve", by=secretariat)

    response = secretariat_client.post(
        review_url(detailed_update), {"action": "return", "reason": "Changed my mind."}, follow=True
    )

    detailed_update.refresh_from_db()
    assert detailed_update.review_state == UpdateReviewState.APPROVED
    assert "This update has already been reviewed." in response.text
    assert response.redirect_chain[-1][0] == review_url(detailed_update)
    assert 'name="action"' not in response.text  # no buttons on a decided update


def test_review_page_shows_the_decision_when_the_update_was_returned(
    secretariat_client: Client, detailed_update: PledgeUpdate, secretariat: Any
) -> None:
    review_update(update=detailed_update, action="return", by=secretariat, reason="Add proof.")

    page = secretariat_client.get(review_url(detailed_update)).text

    assert "This update has already been reviewed: returned" in page
    assert "Add proof." in page


def test_review_page_is_not_found_when_the_update_does_not_exist(
    secretariat_client: Client,
) -> None:
    response = secretariat_client.get(reverse("pledges:update-review", args=[999999]))

    assert response.status_code == 404


def test_review_page_query_count_stays_flat_when_the_pledge_has_more_history(
    secretariat_client: Client,
    detailed_update: PledgeUpdate,
    make_update: Callable[..., PledgeUpdate],
    secretariat: Any,
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(16):
        secretariat_client.get(review_url(detailed_update))
    enrolled, share = detailed_update.pledge.targets.order_by("id")
    for month in range(1, 6):
        earlier = make_update(
            detailed_update.pledge,
            reported_on=dt.date(2023, month, 1),
            actuals={enrolled.pk: Decimal(month * 100), share.pk: Decimal(month)},
        )
        review_update(update=earlier, action="approve", by=secretariat)

    with django_assert_max_num_queries(16):
        response = secretariat_client.get(review_url(detailed_update))

    assert len(response.context["previous"]) == 6
