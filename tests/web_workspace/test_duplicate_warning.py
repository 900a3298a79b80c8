"""The duplicate warning in the workspace: after saving a new draft and around submission, the
entity sees the existing pledges it may repeat, with why, and continues as it likes."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pledges.models import Entity, LinkKind, Pledge, PledgeLink, ReviewState
from tests.factories import PledgeRows

pytestmark = pytest.mark.django_db

CREATE = "/my/pledges/new/"
TITLE = "Include refugee children in national schools"


@pytest.fixture
def rows(reference_data: None) -> PledgeRows:
    return PledgeRows(first=500)


def test_saving_a_new_draft_shows_the_entitys_and_others_similar_pledges(
    logged_in: Callable[[Any], Client],
    member_a: Any,
    entity_a: Entity,
    entity_b: Entity,
    editor_data: Callable[..., dict[str, Any]],
    rows: PledgeRows,
) -> None:
    own = rows(title=TITLE, entity=entity_a, state=ReviewState.DRAFT)
    others = rows(title=f"{TITLE} of Kenya", entity=entity_b)
    hidden = rows(title=TITLE, entity=entity_b, state=ReviewState.DRAFT)

    response = logged_in(member_a).post(CREATE, editor_data(), follow=True)

    page = response.content.decode()
    assert "Similar existing pledges" in page
    assert own.reference in page
    assert others.reference in page
    assert entity_b.name in page
    assert hidden.reference not in page  # another entity's draft is never listed
    assert "same entity" in page
    assert "This is not a duplicate: submit for review" in page


def test_the_warning_never_blocks_submission(
    logged_in: Callable[[Any], Client],
    member_a: Any,
    entity_a: Entity,
    editor_data: Callable[..., dict[str, Any]],
    rows: PledgeRows,
) -> None:
    rows(title=TITLE, entity=entity_a)
    client = logged_in(member_a)
    client.post(CREATE, editor_data())
    draft = Pledge.objects.get(entity=entity_a, review_state=ReviewState.DRAFT)

    response = client.post(f"/pledges/{draft.reference}/actions/submit/", follow=True)

    draft.refresh_from_db()
    assert draft.review_state == ReviewState.SUBMITTED
    # Still shown after submitting, so that a duplicate can be withdrawn before review.
    assert "Similar existing pledges" in response.content.decode()


def test_a_pledge_with_no_look_alike_shows_no_warning(
    logged_in: Callable[[Any], Client], member_a: Any, draft: Pledge, rows: PledgeRows
) -> None:
    rows(title="Solar power for camps")

    page = logged_in(member_a).get(f"/pledges/{draft.reference}/").content.decode()

    assert "Similar existing pledges" not in page


def test_the_public_and_other_entities_never_see_the_warning(
    logged_in: Callable[[Any], Client],
    member_b: Any,
    published: Pledge,
    rows: PledgeRows,
) -> None:
    rows(title=published.title)

    page = logged_in(member_b).get(f"/pledges/{published.reference}/").content.decode()

    assert "Similar existing pledges" not in page


def test_the_pledge_page_says_duplicate_of_publicly_only_when_both_are_published(
    client: Client, published: Pledge, rows: PledgeRows, entity_b: Entity
) -> None:
    original = rows(title="The original pledge", entity=entity_b)
    unpublished = rows(title="A submitted pledge", entity=entity_b, state=ReviewState.SUBMITTED)
    link = PledgeLink.objects.create(source=published, target=original, kind=LinkKind.DUPLICATE_OF)

    page = client.get(f"/pledges/{published.reference}/").content.decode()
    assert 'id="duplicate-of"' in page
    assert original.reference in page

    link.target = unpublished
    link.save()
    page = client.get(f"/pledges/{published.reference}/").content.decode()
    assert 'id="duplicate-of"' not in page
    assert unpublished.reference not in page


def test_the_editor_of_a_saved_draft_lists_its_similar_pledges(
    logged_in: Callable[[Any], Client], member_a: Any, draft: Pledge, rows: PledgeRows
) -> None:
    twin = rows(title=draft.title)

    page = logged_in(member_a).get(f"/pledges/{draft.reference}/edit/").content.decode()

    assert "Similar existing pledges (1)" in page
    assert twin.reference in page
