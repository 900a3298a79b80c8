"""Inviting co-pledgers, answering invitations, and linking pledges by reference."""

from typing import Any

import pytest
from django.test import Client

from pledges.models import ParticipantStatus, Pledge, PledgeLink, PledgeParticipant
from pledges.services import invite_participant
from tests.factories import MembershipFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite_url(pledge: Pledge) -> str:
    return f"/pledges/{pledge.reference}/participants/"


def respond_url(participant: PledgeParticipant) -> str:
    return f"/participants/{participant.pk}/respond/"


def link_url(pledge: Pledge) -> str:
    return f"/pledges/{pledge.reference}/links/"


def test_member_invites_an_entity_to_co_pledge(
    logged_in: Any, draft: Pledge, member_a: Any, entity_b: Any
) -> None:
    response = logged_in(member_a).post(
        invite_url(draft), {"entity": entity_b.pk, "role": "funder"}, follow=True
    )

    participant = draft.participants.get()
    assert (participant.entity, participant.role) == (entity_b, "funder")
    assert response.redirect_chain == [(f"/pledges/{draft.reference}/#participants", 302)]
    assert f"{entity_b.name} has been invited to co-pledge." in response.content.decode()


def test_inviting_twice_is_refused_with_a_message(
    logged_in: Any, draft: Pledge, member_a: Any, entity_b: Any
) -> None:
    client = logged_in(member_a)
    client.post(invite_url(draft), {"entity": entity_b.pk, "role": "co_pledger"})

    response = client.post(
        invite_url(draft), {"entity": entity_b.pk, "role": "co_pledger"}, follow=True
    )

    assert draft.participants.count() == 1
    assert "is already invited" in response.content.decode()


def test_invite_requires_login_when_anonymous(
    client: Client, published: Pledge, entity_b: Any
) -> None:
    response = client.post(invite_url(published), {"entity": entity_b.pk, "role": "co_pledger"})

    assert response.status_code == 302
    assert not published.participants.exists()


def test_member_b_cannot_invite_on_a_published_pledge_of_a(
    logged_in: Any, published: Pledge, member_b: Any, entity_b: Any
) -> None:
    response = logged_in(member_b).post(
        invite_url(published), {"entity": entity_b.pk, "role": "co_pledger"}
    )

    assert response.status_code == 403
    assert not published.participants.exists()


def test_invite_is_get_not_allowed(logged_in: Any, draft: Pledge, member_a: Any) -> None:
    assert logged_in(member_a).get(invite_url(draft)).status_code == 405


@pytest.mark.parametrize(
    ("response_value", "status", "message"),
    [
        ("accept", ParticipantStatus.ACCEPTED, "now co-pledges GRF23-00001"),
        ("decline", ParticipantStatus.DECLINED, "declined to co-pledge GRF23-00001"),
    ],
)
def test_invited_member_answers_the_invitation(
    logged_in: Any,
    draft: Pledge,
    member_a: Any,
    member_b: Any,
    entity_b: Any,
    response_value: str,
    status: str,
    message: str,
) -> None:
    participant = invite_participant(pledge=draft, entity=entity_b, by=member_a)

    response = logged_in(member_b).post(
        respond_url(participant), {"response": response_value}, follow=True
    )

    participant.refresh_from_db()
    assert participant.status == status
    assert message in response.content.decode()


def test_submitting_member_cannot_answer_for_the_invited_entity(
    logged_in: Any, draft: Pledge, member_a: Any, entity_b: Any
) -> None:
    participant = invite_participant(pledge=draft, entity=entity_b, by=member_a)

    response = logged_in(member_a).post(respond_url(participant), {"response": "accept"})

    participant.refresh_from_db()
    assert response.status_code == 403
    assert participant.status == ParticipantStatus.INVITED


def test_answering_twice_is_refused_with_a_message(
    logged_in: Any, draft: Pledge, member_a: Any, member_b: Any, entity_b: Any
) -> None:
    participant = invite_participant(pledge=draft, entity=entity_b, by=member_a)
    client = logged_in(member_b)
    client.post(respond_url(participant), {"response": "decline"})

    response = client.post(respond_url(participant), {"response": "accept"}, follow=True)

    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.DECLINED
    assert "already been answered" in response.content.decode()


def test_invitation_of_a_hidden_pledge_is_not_found_when_outsider_answers(
    logged_in: Any, b_draft: Pledge, member_b: Any, entity_a: Any
) -> None:
    participant = invite_participant(pledge=b_draft, entity=entity_a, by=member_b)
    outsider = MembershipFactory(user=UserFactory(email="outsider@example.org")).user

    response = logged_in(outsider).post(respond_url(participant), {"response": "accept"})

    participant.refresh_from_db()
    assert response.status_code == 404
    assert participant.status == ParticipantStatus.INVITED


def test_answering_requires_login_when_anonymous(
    client: Client, b_draft: Pledge, member_b: Any, entity_a: Any
) -> None:
    participant = invite_participant(pledge=b_draft, entity=entity_a, by=member_b)

    response = client.post(respond_url(participant), {"response": "accept"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_links_a_pledge_by_reference(
    logged_in: Any, draft: Pledge, member_a: Any, member_b: Any
) -> None:
    host = PledgeFactory(reference="GRF23-09999", title="Host policy", review_state="published")

    response = logged_in(member_a).post(
        link_url(draft), {"reference": " grf23-09999 ", "kind": "supersedes"}, follow=True
    )

    assert list(draft.links_out.values_list("target", "kind")) == [(host.pk, "supersedes")]
    page = response.content.decode()
    assert "Linked: GRF23-00001 supersedes GRF23-09999." in page
    assert "Host policy" in page


def test_link_to_an_unknown_or_hidden_pledge_is_refused(
    logged_in: Any, draft: Pledge, b_draft: Pledge, member_a: Any
) -> None:
    client = logged_in(member_a)

    for reference in ("GRF23-77777", b_draft.reference):
        response = client.post(
            link_url(draft), {"reference": reference, "kind": "supersedes"}, follow=True
        )
        assert "No pledge with that reference." in response.content.decode()
    assert not PledgeLink.objects.exists()


def test_link_to_itself_is_refused(logged_in: Any, draft: Pledge, member_a: Any) -> None:
    response = logged_in(member_a).post(
        link_url(draft), {"reference": draft.reference, "kind": "duplicate_of"}, follow=True
    )

    assert "cannot be linked to itself" in response.content.decode()
    assert not PledgeLink.objects.exists()


def test_member_b_cannot_link_from_a_published_pledge_of_a(
    logged_in: Any, published: Pledge, b_draft: Pledge, member_b: Any
) -> None:
    response = logged_in(member_b).post(
        link_url(published), {"reference": b_draft.reference, "kind": "supersedes"}
    )

    assert response.status_code == 403
    assert not PledgeLink.objects.exists()
