"""The pledge's history: every version with field-level before → after values, and the audit
entries with review reasons. Insiders see everything; everybody else the public record."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from compacts.models import Objective
from pledges.models import Pledge
from pledges.services import PledgeInput, invite_participant, transition_pledge, update_pledge

pytestmark = pytest.mark.django_db


def url(pledge: Pledge) -> str:
    return f"/pledges/{pledge.reference}/history/"


@pytest.fixture
def reviewed(
    draft: Pledge, member_a: Any, secretariat: Any, make_input: Callable[..., PledgeInput]
) -> Pledge:
    """Drafted, edited, returned with a reason, resubmitted, published, then corrected."""
    update_pledge(
        pledge=draft,
        data=make_input(
            title="Draft title two",
            objectives=[Objective.objects.get(compact__code="GCR", number=1)],
        ),
        by=member_a,
    )
    draft.refresh_from_db()
    update_pledge(pledge=draft, data=make_input(title="Submitted title"), by=member_a)
    transition_pledge(pledge=draft, action="submit", by=member_a)
    transition_pledge(pledge=draft, action="request_changes", by=secretariat, reason="Be precise.")
    transition_pledge(pledge=draft, action="resubmit", by=member_a)
    transition_pledge(pledge=draft, action="publish", by=secretariat)
    draft.refresh_from_db()
    update_pledge(pledge=draft, data=make_input(title="Published title corrected"), by=secretariat)
    draft.refresh_from_db()
    return draft


@pytest.mark.parametrize("who", ["member_a", "secretariat"])
def test_insiders_see_every_version_with_before_and_after(
    logged_in: Any, reviewed: Pledge, who: str, request: pytest.FixtureRequest
) -> None:
    response = logged_in(request.getfixturevalue(who)).get(url(reviewed))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="version"') == reviewed.history.count()
    # Field-level before → after, newest first.
    assert page.index("Published title corrected") < page.index("Submitted title")
    assert '<td class="old">Include refugee children in national schools</td>' in page
    assert '<td class="new">Draft title two</td>' in page
    # M2M changes are readable names, not through-row dicts.
    assert "GCR 2. " in page
    assert "GCR 1. " in page
    assert "pledge_id" not in page
    # The audit entries with the review reason.
    assert "Be precise." in page
    assert "Request changes" in page


def test_public_sees_only_the_published_record(client: Client, reviewed: Pledge) -> None:
    response = client.get(url(reviewed))

    page = response.content.decode()
    assert response.status_code == 200
    assert "public record" in page
    assert '<td class="old">Submitted title</td>' in page
    assert '<td class="new">Published title corrected</td>' in page
    assert '<td class="new">Published</td>' in page
    # Versions before publication, and their reasons, were never public.
    assert "Draft title two" not in page
    assert "Be precise." not in page
    assert "member-a@example.org" not in page


def test_member_b_sees_the_public_record_of_a_published_pledge(
    logged_in: Any, reviewed: Pledge, member_b: Any
) -> None:
    page = logged_in(member_b).get(url(reviewed)).content.decode()

    assert "Published title corrected" in page
    assert "Draft title two" not in page


def test_history_of_a_draft_is_hidden_when_anonymous_or_member_b(
    logged_in: Any, draft: Pledge, member_b: Any
) -> None:
    assert logged_in(None).get(url(draft)).status_code == 404
    assert logged_in(member_b).get(url(draft)).status_code == 404


def test_co_pledger_sees_the_draft_but_not_its_history(
    logged_in: Any, draft: Pledge, member_a: Any, member_b: Any, entity_b: Any
) -> None:
    invite_participant(pledge=draft, entity=entity_b, by=member_a)
    client = logged_in(member_b)

    assert client.get(f"/pledges/{draft.reference}/").status_code == 200
    assert client.get(url(draft)).status_code == 404


def test_first_version_lists_what_the_pledge_was_created_with(
    logged_in: Any, draft: Pledge, member_a: Any
) -> None:
    page = logged_in(member_a).get(url(draft)).content.decode()

    assert "Created" in page
    assert '<td class="new">Include refugee children in national schools</td>' in page
    assert '<td class="new">Kenya</td>' in page


def test_history_queries_do_not_grow_with_versions(
    logged_in: Any, reviewed: Pledge, member_a: Any, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(member_a)

    with django_assert_max_num_queries(25):
        client.get(url(reviewed))
