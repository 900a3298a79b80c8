"""The pledge page: who sees it, which actions each role is offered, the review reason, joint
pledgers, links, targets and the timeline of progress updates."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge, PledgeUpdateActual, UpdateReviewState
from pledges.services import (
    invite_participant,
    link_pledges,
    transition_pledge,
)
from tests.factories import EntityFactory, PledgeFactory, PledgeUpdateFactory

pytestmark = pytest.mark.django_db


def url(pledge: Pledge) -> str:
    return f"/pledges/{pledge.reference}/"


def test_draft_is_hidden_when_anonymous(client: Client, draft: Pledge) -> None:
    assert client.get(url(draft)).status_code == 404


def test_draft_is_hidden_when_member_b_looks(logged_in: Any, draft: Pledge, member_b: Any) -> None:
    assert logged_in(member_b).get(url(draft)).status_code == 404


def test_unknown_reference_is_not_found(client: Client, reference_data: None) -> None:
    assert client.get("/pledges/GRF23-99999/").status_code == 404


def test_published_pledge_shows_all_fields_and_no_actions_when_anonymous(
    client: Client, published: Pledge
) -> None:
    response = client.get(url(published))

    page = response.content.decode()
    assert response.status_code == 200
    assert published.title in page
    assert published.reference in page
    assert published.entity.name in page
    assert "Global Refugee Forum 2023" in page
    assert "Enhance refugee self-reliance" in page
    assert "Kenya" in page
    assert "1,000,000" in page
    assert "Children enrolled" in page
    assert "/actions/" not in page
    assert "Edit</a>" not in page
    assert "Report progress" not in page
    assert f'href="/pledges/{published.reference}/history/"' in page


def test_member_sees_edit_submit_and_withdraw_with_confirmation_when_draft(
    logged_in: Any, draft: Pledge, member_a: Any
) -> None:
    page = logged_in(member_a).get(url(draft)).content.decode()

    assert f'href="/pledges/{draft.reference}/edit/"' in page
    assert f'action="/pledges/{draft.reference}/actions/submit/"' in page
    assert f'action="/pledges/{draft.reference}/actions/withdraw/"' in page
    assert "Yes, withdraw GRF23-00001" in page
    assert "/actions/publish/" not in page


def test_secretariat_sees_decisions_with_required_reasons_when_submitted(
    logged_in: Any, submitted: Pledge, secretariat: Any
) -> None:
    page = logged_in(secretariat).get(url(submitted)).content.decode()

    assert "/actions/publish/" in page
    assert "/actions/request_changes/" in page
    assert "/actions/reject/" in page
    assert '<textarea id="reason-request_changes" name="reason" rows="3" required>' in page
    assert '<label for="reason-reject">' in page
    assert "/actions/submit/" not in page


def test_member_b_sees_a_published_pledge_without_actions(
    logged_in: Any, published: Pledge, member_b: Any
) -> None:
    page = logged_in(member_b).get(url(published)).content.decode()

    assert published.title in page
    assert "/actions/" not in page
    assert "Invite an entity" not in page


def test_submitter_sees_the_reason_when_changes_are_requested(
    logged_in: Any, submitted: Pledge, member_a: Any, secretariat: Any
) -> None:
    transition_pledge(
        pledge=submitted, action="request_changes", by=secretariat, reason="Add a due date."
    )

    page = logged_in(member_a).get(url(submitted)).content.decode()

    assert "Reason given by the secretariat" in page
    assert "Add a due date." in page
    assert "/actions/resubmit/" in page


def test_member_sees_report_progress_only_when_published(
    logged_in: Any, published: Pledge, draft: Pledge, member_a: Any
) -> None:
    client = logged_in(member_a)

    assert f'href="/pledges/{published.reference}/updates/new/"' in (
        client.get(url(published)).content.decode()
    )
    assert "Report progress" not in client.get(url(draft)).content.decode()


def test_invited_entity_sees_accept_and_decline_when_invited(
    logged_in: Any, draft: Pledge, member_a: Any, member_b: Any, entity_b: Any
) -> None:
    participant = invite_participant(pledge=draft, entity=entity_b, by=member_a)

    page = logged_in(member_b).get(url(draft)).content.decode()

    assert entity_b.name in page
    assert "Invited" in page
    assert f'action="/participants/{participant.pk}/respond/"' in page
    assert 'value="accept"' in page
    assert 'value="decline"' in page


def test_submitting_member_does_not_answer_for_the_invited_entity(
    logged_in: Any, draft: Pledge, member_a: Any, entity_b: Any
) -> None:
    invite_participant(pledge=draft, entity=entity_b, by=member_a)

    page = logged_in(member_a).get(url(draft)).content.decode()

    assert "/respond/" not in page
    assert "Invite an entity to co-pledge" in page


def test_links_to_pledges_the_viewer_cannot_see_are_left_out(
    client: Client, published: Pledge, member_a: Any
) -> None:
    other = PledgeFactory(reference="GRF23-09001", title="Public partner", review_state="published")
    secret = PledgeFactory(reference="GRF23-09002", title="Secret partner", entity=published.entity)
    link_pledges(source=published, target=other, kind="supersedes", by=member_a)
    link_pledges(source=published, target=secret, kind="duplicate_of", by=member_a)

    page = client.get(url(published)).content.decode()

    assert "GRF23-09001" in page
    assert "Public partner" in page
    assert "GRF23-09002" not in page


def approved_and_pending_updates(published: Pledge) -> None:
    target = published.targets.order_by("id").first()
    approved = PledgeUpdateFactory(
        pledge=published,
        narrative="Schools opened in Kakuma.",
        review_state=UpdateReviewState.APPROVED,
        reported_on=dt.date(2024, 6, 30),
        evidence_links=["https://example.org/report.pdf"],
        disbursed_amount=Decimal("250000"),
    )
    PledgeUpdateActual.objects.create(update=approved, target=target, value=Decimal("2500"))
    PledgeUpdateFactory(
        pledge=published,
        narrative="Pending narrative.",
        review_state=UpdateReviewState.PENDING,
        reported_on=dt.date(2024, 12, 31),
    )
    PledgeUpdateFactory(
        pledge=published,
        narrative="Returned narrative.",
        review_state=UpdateReviewState.RETURNED,
        review_note="Please add evidence.",
        reported_on=dt.date(2024, 9, 30),
    )


def test_public_timeline_shows_approved_updates_only(client: Client, published: Pledge) -> None:
    approved_and_pending_updates(published)

    page = client.get(url(published)).content.decode()

    assert "Schools opened in Kakuma." in page
    assert "2,500" in page
    assert 'href="https://example.org/report.pdf"' in page
    assert "250,000" in page
    assert "Pending narrative." not in page
    assert "Returned narrative." not in page


def test_member_b_sees_approved_updates_only(
    logged_in: Any, published: Pledge, member_b: Any
) -> None:
    approved_and_pending_updates(published)

    page = logged_in(member_b).get(url(published)).content.decode()

    assert "Schools opened in Kakuma." in page
    assert "Pending narrative." not in page


@pytest.mark.parametrize("who", ["member_a", "secretariat"])
def test_insiders_see_pending_and_returned_updates_with_the_reason(
    logged_in: Any, published: Pledge, who: str, request: pytest.FixtureRequest
) -> None:
    approved_and_pending_updates(published)

    page = logged_in(request.getfixturevalue(who)).get(url(published)).content.decode()

    assert "Pending narrative." in page
    assert "Pending review" in page
    assert "Returned narrative." in page
    assert "Please add evidence." in page


def test_page_queries_stay_flat_when_the_pledge_has_many_related_rows(
    logged_in: Any,
    published: Pledge,
    member_a: Any,
    secretariat: Any,
    django_assert_max_num_queries: Any,
) -> None:
    approved_and_pending_updates(published)
    for number in range(5):
        invite_participant(pledge=published, entity=EntityFactory(), by=secretariat)
        other = PledgeFactory(reference=f"GRF23-0900{number}", review_state="published")
        link_pledges(source=published, target=other, kind="supersedes", by=secretariat)
        update = PledgeUpdateFactory(pledge=published, review_state=UpdateReviewState.APPROVED)
        for target in published.targets.all():
            PledgeUpdateActual.objects.create(update=update, target=target, value=Decimal(1))
    client = logged_in(member_a)

    # (Issue 20 added one: the files of the pledge and of its updates, in one query.)
    with django_assert_max_num_queries(23):
        response = client.get(url(published))

    assert response.status_code == 200
