"""Reaffirming a published pledge at a later forum (issue 17, item 4b): the service's rules,
the audit, the pledge page, the API's `reaffirmations` and the forum filter's `reaffirmed`."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from core.audit import entries_for
from forums.models import Forum
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge, PledgeReaffirmation
from pledges.services import create_pledge, reaffirm_pledge
from tests.factories import pledge_input

pytestmark = pytest.mark.django_db


def test_a_member_reaffirms_at_a_later_forum_with_an_audit_entry(
    published: Pledge, member_a: Any
) -> None:
    pr25 = Forum.objects.get(code="PR25")

    done = reaffirm_pledge(pledge=published, forum=pr25, by=member_a, note="New timeline.")

    assert (done.forum, done.reaffirmed_on, done.reaffirmed_by) == (
        pr25,
        pr25.start_date,
        member_a,
    )
    entry = entries_for(published).get(action="pledges.pledge.reaffirmed")
    assert entry.actor == member_a
    assert entry.data["forum"] == "PR25"


@pytest.mark.parametrize(
    ("code", "day", "field"),
    [
        ("GRF19", None, "forum"),  # earlier than GRF 2023
        ("GRF23", None, "forum"),  # its own forum
        ("IMRF26", None, "forum"),  # a forum of the other compact
        ("GRF27", None, "reaffirmed_on"),  # no dates yet: the day must be given
        ("PR25", dt.date(2023, 1, 1), "reaffirmed_on"),  # before it was announced
    ],
)
def test_a_reaffirmation_that_makes_no_sense_is_refused_on_its_field(
    published: Pledge, member_a: Any, code: str, day: dt.date | None, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        reaffirm_pledge(
            pledge=published, forum=Forum.objects.get(code=code), by=member_a, reaffirmed_on=day
        )

    assert field in refused.value.message_dict
    assert not PledgeReaffirmation.objects.exists()


def test_the_same_forum_twice_is_refused(published: Pledge, member_a: Any) -> None:
    pr25 = Forum.objects.get(code="PR25")
    reaffirm_pledge(pledge=published, forum=pr25, by=member_a)

    with pytest.raises(ValidationError) as refused:
        reaffirm_pledge(pledge=published, forum=pr25, by=member_a)

    assert "forum" in refused.value.message_dict
    assert PledgeReaffirmation.objects.count() == 1


def test_outsiders_and_unpublished_pledges_cannot_be_reaffirmed(
    published: Pledge, member_b: Any, entity_a: Any, member_a: Any
) -> None:
    pr25 = Forum.objects.get(code="PR25")
    draft = create_pledge(data=pledge_input(entity=entity_a), by=member_a)

    with pytest.raises(PermissionDenied):
        reaffirm_pledge(pledge=published, forum=pr25, by=member_b)
    with pytest.raises(TransitionNotAllowed):
        reaffirm_pledge(pledge=draft, forum=pr25, by=member_a)
    assert not PledgeReaffirmation.objects.exists()


def test_a_pledge_between_forums_can_be_reaffirmed_at_a_forum_after_its_date(
    between_forums: Pledge, member_a: Any
) -> None:
    with pytest.raises(ValidationError):
        reaffirm_pledge(pledge=between_forums, forum=Forum.objects.get(code="GRF23"), by=member_a)

    done = reaffirm_pledge(pledge=between_forums, forum=Forum.objects.get(code="PR25"), by=member_a)

    assert done.forum.code == "PR25"


def test_the_page_action_reaffirms_and_the_page_and_api_show_it(
    published: Pledge, member_a: Any, member_b: Any, client: Client
) -> None:
    pr25 = Forum.objects.get(code="PR25")
    url = f"/pledges/{published.reference}/reaffirm/"
    client.force_login(member_b)
    assert client.post(url, {"forum": pr25.pk}).status_code == 403

    client.force_login(member_a)
    before = client.get(f"/pledges/{published.reference}/").content.decode()
    response = client.post(url, {"forum": pr25.pk, "note": "Scaled up."})
    client.logout()
    page = client.get(f"/pledges/{published.reference}/").content.decode()
    api = APIClient().get(f"/api/v1/pledges/{published.reference}/").json()

    assert "Reaffirm at a later forum" in before
    assert response.status_code == 302
    assert "Reaffirmed at later forums" in page
    assert pr25.name in page
    assert "Scaled up." in page
    assert "Reaffirm at a later forum" not in page  # no form for visitors
    assert api["reaffirmations"] == [
        {
            "forum": {
                "code": "PR25",
                "name": pr25.name,
                "url": "http://testserver/api/v1/forums/PR25/",
            },
            "reaffirmed_on": pr25.start_date.isoformat(),
            "note": "Scaled up.",
        }
    ]


def test_the_forum_filter_counts_reaffirmed_pledges_only_when_asked(
    published: Pledge, member_a: Any, client: Client
) -> None:
    reaffirm_pledge(pledge=published, forum=Forum.objects.get(code="PR25"), by=member_a)

    announced = APIClient().get("/api/v1/pledges/", {"forum": "PR25"}).json()
    widened = APIClient().get("/api/v1/pledges/", {"forum": "PR25", "reaffirmed": "true"}).json()
    page = client.get("/pledges/", {"forum": "PR25", "reaffirmed": "true"}).content.decode()

    assert announced["results"] == []
    assert [p["reference"] for p in widened["results"]] == [published.reference]
    assert published.reference in page


def test_the_forum_page_counts_the_pledges_reaffirmed_there(
    published: Pledge, member_a: Any, client: Client
) -> None:
    before = client.get("/forums/PR25/").content.decode()
    reaffirm_pledge(pledge=published, forum=Forum.objects.get(code="PR25"), by=member_a)

    after = client.get("/forums/PR25/").content.decode()

    assert "Earlier pledges reaffirmed at this forum" not in before
    assert "Earlier pledges reaffirmed at this forum: 1." in after
    assert "forum=PR25&amp;reaffirmed=true" in after
