"""Each entity page as each role of the fixed cast: anonymous, a member of entity A, a member of
entity B, and the secretariat."""

from typing import Any

import pytest
from django.urls import reverse

from pledges.models import Entity, Membership, MembershipStatus
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_a", "member_b", "secretariat"]
PAGES = ["pledges:entity-register", "pledges:entity-join", "pledges:my-entities"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_is_shown_when_logged_in_and_asks_for_login_when_anonymous(
    role_client: Any, role: str, page: str, entity_a: Entity
) -> None:
    url = reverse(page)

    response = role_client(role).get(url)

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={url}"
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("member_a", 403), ("member_b", 403), ("secretariat", 200)],
)
def test_queue_is_only_for_the_secretariat_when_shown(
    role_client: Any, role: str, expected: int
) -> None:
    response = role_client(role).get(reverse("pledges:entity-admin-queue"))

    assert response.status_code == expected
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("role", "sees"), [("member_a", "A"), ("member_b", "B")])
def test_my_entities_lists_only_own_memberships_when_member(
    role_client: Any, role: str, sees: str, member_a: Any, member_b: Any
) -> None:
    entities = {
        "A": member_a.memberships.get().entity.name,
        "B": member_b.memberships.get().entity.name,
    }

    response = role_client(role).get(reverse("pledges:my-entities"))

    assert entities[sees] in response.text
    other = "B" if sees == "A" else "A"
    assert entities[other] not in response.text


@pytest.mark.parametrize("role", ["member_a", "member_b", "secretariat"])
def test_nav_links_to_my_entities_and_only_reviewers_see_the_queue_when_logged_in(
    role_client: Any, role: str
) -> None:
    response = role_client(role).get(reverse("pledges:my-entities"))

    assert f'href="{reverse("pledges:my-entities")}" aria-current="page"' in response.text
    queue_link = f'href="{reverse("pledges:entity-admin-queue")}"'
    assert (queue_link in response.text) is (role == "secretariat")


@pytest.mark.parametrize("role", ["anonymous", "member_a", "member_b"])
@pytest.mark.parametrize("action", ["verify", "approve", "decline"])
def test_decision_is_refused_and_nothing_changes_when_not_secretariat(
    role_client: Any, role: str, action: str
) -> None:
    entity = EntityFactory(is_verified=False)
    membership = MembershipFactory(
        user=UserFactory(), entity=EntityFactory(), status=MembershipStatus.PENDING
    )
    data = {"action": action, "entity": str(entity.public_id), "membership": membership.pk}

    response = role_client(role).post(reverse("pledges:entity-admin-queue"), data)

    assert response.status_code == (302 if role == "anonymous" else 403)
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))
    entity.refresh_from_db()
    assert not entity.is_verified
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.PENDING
