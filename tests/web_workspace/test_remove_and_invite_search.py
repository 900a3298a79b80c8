"""Removing co-pledging entities and links from the pledge page, and the invite form's entity
search that replaces a dropdown of every entity.

Every route is tried as each of the fixed cast (anonymous, member of A, member of B, the
secretariat). Removals go through the services, so each one leaves an audit entry; a refused
removal changes nothing and records nothing.
"""

from typing import Any

import pytest
from django.test import Client

from core.audit import entries_for
from pledges.models import Entity, Pledge, PledgeLink, PledgeParticipant
from pledges.services import (
    invite_participant,
    link_pledges,
    respond_to_invitation,
    transition_pledge,
)
from pledges.views.workspace import INVITE_RESULTS_LIMIT
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_a", "member_b", "secretariat"]


def page_url(pledge: Pledge, query: str | None = None) -> str:
    url = f"/pledges/{pledge.reference}/"
    return f"{url}?invite_q={query}" if query is not None else url


def invite_url(pledge: Pledge) -> str:
    return f"/pledges/{pledge.reference}/participants/"


def remove_participant_url(participant: PledgeParticipant) -> str:
    return f"/participants/{participant.pk}/remove/"


def remove_link_url(link: PledgeLink) -> str:
    return f"/links/{link.pk}/remove/"


def client_as(logged_in: Any, request: pytest.FixtureRequest, who: str) -> Client:
    return logged_in(None if who == "anonymous" else request.getfixturevalue(who))


def offered_entity_ids(page: str) -> list[str]:
    """The entity ids of the invite form's radio options, in page order."""
    marker = 'name="entity" value="'
    return [chunk.split('"', 1)[0] for chunk in page.split(marker)[1:]]


@pytest.fixture
def joint_draft(draft: Pledge, member_a: Any, entity_b: Entity) -> PledgeParticipant:
    """Entity B invited to co-pledge A's draft: member B sees the draft, but may not edit it."""
    return invite_participant(pledge=draft, entity=entity_b, by=member_a)


@pytest.fixture
def outgoing_link(published: Pledge, secretariat: Any) -> PledgeLink:
    """A's published pledge matches another published pledge."""
    host = PledgeFactory(reference="GRF23-09999", title="Host policy", review_state="published")
    return link_pledges(source=published, target=host, kind="supersedes", by=secretariat)


# --------------------------------------------------------------------------------------------
# Removing a co-pledging entity
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "removed"),
    [
        ("anonymous", 302, False),
        ("member_a", 302, True),
        ("member_b", 403, False),
        ("secretariat", 302, True),
    ],
)
def test_only_editors_remove_a_co_pledger_when_each_role_posts(
    logged_in: Any,
    request: pytest.FixtureRequest,
    joint_draft: PledgeParticipant,
    who: str,
    status: int,
    removed: bool,
) -> None:
    pledge = joint_draft.pledge

    response = client_as(logged_in, request, who).post(remove_participant_url(joint_draft))

    assert response.status_code == status
    assert PledgeParticipant.objects.filter(pk=joint_draft.pk).exists() is not removed
    removals = entries_for(pledge).filter(action="pledges.participant.removed")
    assert removals.count() == (1 if removed else 0)
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if removed:
        assert response["Location"] == f"/pledges/{pledge.reference}/#participants"


def test_removal_is_audited_with_the_actor_and_the_entity_when_member_removes(
    logged_in: Any, joint_draft: PledgeParticipant, member_a: Any, entity_b: Entity
) -> None:
    response = logged_in(member_a).post(remove_participant_url(joint_draft), follow=True)

    entry = entries_for(joint_draft.pledge).get(action="pledges.participant.removed")
    assert (entry.actor, entry.data) == (member_a, {"entity": entity_b.pk})
    page = response.content.decode()
    assert f"{entity_b.name} no longer co-pledges {joint_draft.pledge.reference}." in page
    assert (
        "Co-pledger removed"
        in logged_in(member_a)
        .get(f"/pledges/{joint_draft.pledge.reference}/history/")
        .content.decode()
    )


def test_removed_entity_no_longer_sees_the_draft_when_removed(
    logged_in: Any, joint_draft: PledgeParticipant, member_a: Any, member_b: Any
) -> None:
    pledge = joint_draft.pledge
    assert logged_in(member_b).get(page_url(pledge)).status_code == 200

    logged_in(member_a).post(remove_participant_url(joint_draft))

    assert logged_in(member_b).get(page_url(pledge)).status_code == 404


def test_accepted_co_pledger_can_be_removed_too(
    logged_in: Any, joint_draft: PledgeParticipant, member_a: Any, member_b: Any
) -> None:
    respond_to_invitation(participant=joint_draft, accept=True, by=member_b)

    response = logged_in(member_a).post(remove_participant_url(joint_draft))

    assert response.status_code == 302
    assert not PledgeParticipant.objects.filter(pk=joint_draft.pk).exists()


def test_co_pledger_of_a_hidden_pledge_is_not_found_when_outsider_posts(
    logged_in: Any, joint_draft: PledgeParticipant
) -> None:
    outsider = MembershipFactory(user=UserFactory(email="outsider@example.org")).user

    response = logged_in(outsider).post(remove_participant_url(joint_draft))

    assert response.status_code == 404
    assert PledgeParticipant.objects.filter(pk=joint_draft.pk).exists()


def test_unknown_co_pledger_is_not_found(logged_in: Any, draft: Pledge, member_a: Any) -> None:
    assert logged_in(member_a).post("/participants/999999/remove/").status_code == 404


def test_removal_is_refused_with_a_message_when_the_pledge_is_closed(
    logged_in: Any, joint_draft: PledgeParticipant, member_a: Any
) -> None:
    pledge = transition_pledge(pledge=joint_draft.pledge, action="withdraw", by=member_a)

    response = logged_in(member_a).post(remove_participant_url(joint_draft), follow=True)

    assert response.redirect_chain == [(f"/pledges/{pledge.reference}/#participants", 302)]
    assert "This pledge is closed." in response.content.decode()
    assert PledgeParticipant.objects.filter(pk=joint_draft.pk).exists()
    assert not entries_for(pledge).filter(action="pledges.participant.removed").exists()


# --------------------------------------------------------------------------------------------
# Removing a link
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "removed"),
    [
        ("anonymous", 302, False),
        ("member_a", 302, True),
        ("member_b", 403, False),
        ("secretariat", 302, True),
    ],
)
def test_only_editors_of_the_source_remove_a_link_when_each_role_posts(
    logged_in: Any,
    request: pytest.FixtureRequest,
    outgoing_link: PledgeLink,
    who: str,
    status: int,
    removed: bool,
) -> None:
    source = outgoing_link.source

    response = client_as(logged_in, request, who).post(remove_link_url(outgoing_link))

    assert response.status_code == status
    assert PledgeLink.objects.filter(pk=outgoing_link.pk).exists() is not removed
    removals = entries_for(source).filter(action="pledges.link.removed")
    assert removals.count() == (1 if removed else 0)
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if removed:
        assert response["Location"] == f"/pledges/{source.reference}/#links"


def test_link_removal_is_audited_and_confirmed_when_member_removes(
    logged_in: Any, outgoing_link: PledgeLink, member_a: Any
) -> None:
    response = logged_in(member_a).post(remove_link_url(outgoing_link), follow=True)

    entry = entries_for(outgoing_link.source).get(action="pledges.link.removed")
    assert (entry.actor, entry.data) == (
        member_a,
        {"target": "GRF23-09999", "kind": "supersedes"},
    )
    page = response.content.decode()
    assert f"Link removed: {outgoing_link.source.reference} supersedes GRF23-09999." in page
    assert "Host policy" not in page


def test_link_from_a_hidden_pledge_is_not_found_when_member_b_posts(
    logged_in: Any, draft: Pledge, member_a: Any, member_b: Any
) -> None:
    host = PledgeFactory(reference="GRF23-09999", review_state="published")
    link = link_pledges(source=draft, target=host, kind="supersedes", by=member_a)

    response = logged_in(member_b).post(remove_link_url(link))

    assert response.status_code == 404
    assert PledgeLink.objects.filter(pk=link.pk).exists()


def test_link_to_a_hidden_pledge_is_not_found_when_member_a_posts(
    logged_in: Any, published: Pledge, b_draft: Pledge, member_a: Any, secretariat: Any
) -> None:
    # The page leaves such links out; removing one must not reveal the hidden pledge either.
    link = link_pledges(source=published, target=b_draft, kind="supersedes", by=secretariat)

    response = logged_in(member_a).post(remove_link_url(link))

    assert response.status_code == 404
    assert PledgeLink.objects.filter(pk=link.pk).exists()


def test_link_removal_is_refused_with_a_message_when_the_pledge_is_closed(
    logged_in: Any, outgoing_link: PledgeLink, member_a: Any
) -> None:
    source = transition_pledge(pledge=outgoing_link.source, action="withdraw", by=member_a)

    response = logged_in(member_a).post(remove_link_url(outgoing_link), follow=True)

    assert "This pledge is closed." in response.content.decode()
    assert PledgeLink.objects.filter(pk=outgoing_link.pk).exists()
    assert not entries_for(source).filter(action="pledges.link.removed").exists()


# --------------------------------------------------------------------------------------------
# Both routes accept POST only
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_removal_routes_answer_405_when_each_role_gets(
    logged_in: Any,
    request: pytest.FixtureRequest,
    joint_draft: PledgeParticipant,
    outgoing_link: PledgeLink,
    who: str,
) -> None:
    client = client_as(logged_in, request, who)

    assert client.get(remove_participant_url(joint_draft)).status_code == 405
    assert client.get(remove_link_url(outgoing_link)).status_code == 405
    assert PledgeParticipant.objects.filter(pk=joint_draft.pk).exists()
    assert PledgeLink.objects.filter(pk=outgoing_link.pk).exists()


# --------------------------------------------------------------------------------------------
# The Remove buttons on the pledge page
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member_a", "secretariat"])
def test_editors_see_remove_buttons_with_a_confirmation_step(
    logged_in: Any,
    request: pytest.FixtureRequest,
    published: Pledge,
    outgoing_link: PledgeLink,
    member_a: Any,
    entity_b: Entity,
    who: str,
) -> None:
    participant = invite_participant(pledge=published, entity=entity_b, by=member_a)

    page = client_as(logged_in, request, who).get(page_url(published)).content.decode()

    participant_form = f'action="/participants/{participant.pk}/remove/"'
    link_form = f'action="/links/{outgoing_link.pk}/remove/"'
    assert participant_form in page
    assert link_form in page
    # The confirmation works without JS: the POST form sits inside a closed <details>.
    for form in (participant_form, link_form):
        before = page[: page.index(form)]
        assert before.rindex("<details") > before.rindex("</details>")
        after = page[page.index(form) :]
        assert after.index("csrfmiddlewaretoken") < after.index("</form>")
    assert f"Yes, remove {entity_b.name}" in page
    assert "Yes, remove the link to GRF23-09999" in page


@pytest.mark.parametrize("who", ["anonymous", "member_b"])
def test_non_editors_see_no_remove_buttons(
    logged_in: Any,
    request: pytest.FixtureRequest,
    published: Pledge,
    outgoing_link: PledgeLink,
    member_a: Any,
    entity_b: Entity,
    who: str,
) -> None:
    invite_participant(pledge=published, entity=entity_b, by=member_a)

    page = client_as(logged_in, request, who).get(page_url(published)).content.decode()

    assert "/remove/" not in page
    assert "GRF23-09999" in page


def test_no_remove_buttons_when_the_pledge_is_closed(
    logged_in: Any, joint_draft: PledgeParticipant, member_a: Any
) -> None:
    pledge = transition_pledge(pledge=joint_draft.pledge, action="withdraw", by=member_a)

    page = logged_in(member_a).get(page_url(pledge)).content.decode()

    assert "/remove/" not in page


# --------------------------------------------------------------------------------------------
# Finding the entity to invite
# --------------------------------------------------------------------------------------------


@pytest.fixture
def council(reference_data: None) -> Entity:
    return EntityFactory(name="Norwegian Refugee Council", acronym="NRC")


@pytest.mark.parametrize("query", ["refugee council", "NORWEGIAN", "nrc", "Nr"])
def test_search_finds_an_entity_by_name_or_acronym(
    logged_in: Any, draft: Pledge, member_a: Any, council: Entity, query: str
) -> None:
    EntityFactory(name="Danish Demining Group", acronym="DDG")

    page = logged_in(member_a).get(page_url(draft, query)).content.decode()

    assert offered_entity_ids(page) == [str(council.pk)]
    assert "Norwegian Refugee Council (NRC)" in page
    assert f'name="invite_q" value="{query}"' in page


def test_search_without_matches_says_so(
    logged_in: Any, draft: Pledge, member_a: Any, council: Entity
) -> None:
    page = logged_in(member_a).get(page_url(draft, "Atlantis")).content.decode()

    assert offered_entity_ids(page) == []
    assert "No entity that can be invited matches “Atlantis”." in page


def test_page_without_a_search_offers_no_entities(
    logged_in: Any, draft: Pledge, member_a: Any, council: Entity
) -> None:
    page = logged_in(member_a).get(page_url(draft)).content.decode()

    assert 'id="invite-search-invite_q"' in page
    assert "Find an entity by name or acronym" in page
    assert offered_entity_ids(page) == []


def test_search_leaves_out_the_submitting_and_already_invited_entities(
    logged_in: Any,
    draft: Pledge,
    member_a: Any,
    member_b: Any,
    entity_a: Entity,
    entity_b: Entity,
) -> None:
    # Factory names are "Organisation <n>": one search matches A, B and the two below.
    assert entity_a.name.startswith("Organisation")
    assert entity_b.name.startswith("Organisation")
    declined, free = EntityFactory(), EntityFactory()
    invite_participant(pledge=draft, entity=entity_b, by=member_a)
    refusal = invite_participant(pledge=draft, entity=declined, by=member_a)
    # A declined entity cannot be invited again (the service refuses), so it is not offered.
    member_c = MembershipFactory(user=UserFactory(email="member-c@example.org"), entity=declined)
    respond_to_invitation(participant=refusal, accept=False, by=member_c.user)

    page = logged_in(member_a).get(page_url(draft, "Organisation")).content.decode()

    assert offered_entity_ids(page) == [str(free.pk)]


def test_search_caps_the_results_and_ranks_an_exact_acronym_first(
    logged_in: Any, draft: Pledge, member_a: Any
) -> None:
    for number in range(INVITE_RESULTS_LIMIT + 5):
        # Alphabetically all before "United Nations…", and all containing the acronym.
        EntityFactory(name=f"Aid to UNHCR operations {number:02d}")
    agency = EntityFactory(name="United Nations High Commissioner for Refugees", acronym="UNHCR")

    page = logged_in(member_a).get(page_url(draft, "unhcr")).content.decode()

    offered = offered_entity_ids(page)
    assert len(offered) == INVITE_RESULTS_LIMIT == 25
    assert offered[0] == str(agency.pk)
    assert "Only the first 25 matches are listed" in page


def test_search_is_not_offered_to_non_editors(
    logged_in: Any, published: Pledge, member_b: Any, council: Entity
) -> None:
    for client in (logged_in(None), logged_in(member_b)):
        page = client.get(page_url(published, "nrc")).content.decode()
        assert "Invite an entity" not in page
        assert offered_entity_ids(page) == []


def test_page_query_count_is_bounded_when_searching(
    logged_in: Any,
    published: Pledge,
    member_a: Any,
    secretariat: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(5):
        invite_participant(pledge=published, entity=EntityFactory(), by=secretariat)
        other = PledgeFactory(reference=f"GRF23-0900{number}", review_state="published")
        link_pledges(source=published, target=other, kind="supersedes", by=secretariat)
    for _ in range(INVITE_RESULTS_LIMIT + 5):
        EntityFactory(acronym="ORG")
    client = logged_in(member_a)

    # The search is one query however many entities match; the labels cost none. (Issue 17
    # added three: the pledge's accepted matches, its reaffirmations and the forums an editor
    # can reaffirm at. Issue 20 one: the attached files.)
    with django_assert_max_num_queries(23):
        response = client.get(page_url(published, "Organisation"))

    assert response.status_code == 200
    assert len(offered_entity_ids(response.content.decode())) == INVITE_RESULTS_LIMIT


# --------------------------------------------------------------------------------------------
# Posting the invitation
# --------------------------------------------------------------------------------------------


def test_member_invites_an_entity_found_by_the_search(
    logged_in: Any, draft: Pledge, member_a: Any, council: Entity
) -> None:
    client = logged_in(member_a)
    page = client.get(page_url(draft, "nrc")).content.decode()
    assert offered_entity_ids(page) == [str(council.pk)]

    response = client.post(
        invite_url(draft), {"invite_q": "nrc", "entity": council.pk, "role": "funder"}, follow=True
    )

    assert response.redirect_chain == [(f"/pledges/{draft.reference}/#participants", 302)]
    assert list(draft.participants.values_list("entity", "role")) == [(council.pk, "funder")]
    assert entries_for(draft).filter(action="pledges.participant.invited").count() == 1


def test_entity_that_was_not_offered_is_still_accepted_when_it_exists(
    logged_in: Any, draft: Pledge, member_a: Any, council: Entity
) -> None:
    response = logged_in(member_a).post(
        invite_url(draft), {"entity": council.pk, "role": "co_pledger"}
    )

    assert response.status_code == 302
    assert draft.participants.get().entity == council


@pytest.mark.parametrize("entity", ["999999", "not-a-number", ""])
def test_unknown_or_missing_entity_is_a_field_error_with_the_search_kept(
    logged_in: Any, draft: Pledge, member_a: Any, council: Entity, entity: str
) -> None:
    response = logged_in(member_a).post(
        invite_url(draft), {"invite_q": "nrc", "entity": entity, "role": "co_pledger"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert not draft.participants.exists()
    assert "data-error-summary" in page
    assert 'href="#invite-entity"' in page
    assert '<ul class="errorlist"' in page
    # The same results are offered again, so the person only has to choose.
    assert offered_entity_ids(page) == [str(council.pk)]
    assert 'name="invite_q" value="nrc"' in page


def test_service_refusal_is_a_field_error_when_inviting_the_submitting_entity(
    logged_in: Any, draft: Pledge, member_a: Any, entity_a: Entity
) -> None:
    response = logged_in(member_a).post(
        invite_url(draft), {"entity": entity_a.pk, "role": "co_pledger"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The submitting entity is already on the pledge." in page
    # No results on the page: the summary points to the search box instead of absent radios.
    assert 'href="#invite"' in page
    assert not draft.participants.exists()


@pytest.mark.parametrize("entity", ["999999", ""])
def test_outsider_gets_403_whatever_they_post_when_member_b_invites(
    logged_in: Any, published: Pledge, member_b: Any, entity: str
) -> None:
    response = logged_in(member_b).post(
        invite_url(published), {"invite_q": "nrc", "entity": entity, "role": "co_pledger"}
    )

    assert response.status_code == 403
    assert not published.participants.exists()


def test_invite_is_refused_with_a_message_when_the_pledge_is_closed(
    logged_in: Any, draft: Pledge, member_a: Any, council: Entity
) -> None:
    transition_pledge(pledge=draft, action="withdraw", by=member_a)

    response = logged_in(member_a).post(
        invite_url(draft), {"entity": council.pk, "role": "co_pledger"}, follow=True
    )

    assert "This pledge is closed." in response.content.decode()
    assert not draft.participants.exists()
