"""Co-pledgers report too (issue 17, item 6): members of an accepted, verified co-pledging
entity submit progress updates attributed to their entity; the lead entity sees them and is
told by e-mail in each member's language; others are refused."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from pledges.models import ParticipantStatus, Pledge, PledgeUpdate
from pledges.notifications import secretariat_recipients
from pledges.services import UpdateInput, review_update, submit_update
from pledges.workflow import may_report_progress, reporting_entity_ids
from tests.factories import MembershipFactory, UserFactory

from .conftest import co_pledger

pytestmark = pytest.mark.django_db


def _report() -> UpdateInput:
    return UpdateInput(
        status="in_progress", narrative="Our share is delivered.", reported_on=dt.date(2026, 1, 5)
    )


def test_an_accepted_verified_co_pledger_reports_for_its_own_entity(
    published: Pledge, django_capture_on_commit_callbacks: Any
) -> None:
    entity, user = co_pledger(published)

    with django_capture_on_commit_callbacks(execute=True):
        update = submit_update(pledge=published, data=_report(), by=user)

    assert update.entity == entity
    assert update.pledge == published
    assert reporting_entity_ids(published, user) == [entity.pk]


@pytest.mark.parametrize(
    ("status", "verified"),
    [
        (ParticipantStatus.INVITED, True),
        (ParticipantStatus.DECLINED, True),
        (ParticipantStatus.ACCEPTED, False),
    ],
)
def test_pending_declined_and_unverified_co_pledgers_are_refused(
    published: Pledge, status: str, verified: bool, client: Client
) -> None:
    _entity, user = co_pledger(published, status=status, verified=verified)

    with pytest.raises(PermissionDenied):
        submit_update(pledge=published, data=_report(), by=user)
    client.force_login(user)
    page = client.get(f"/pledges/{published.reference}/").content.decode()

    assert not may_report_progress(published, user)
    assert client.get(f"/pledges/{published.reference}/updates/new/").status_code == 403
    assert "Report progress" not in page
    assert not PledgeUpdate.objects.exists()


def test_the_lead_entity_is_told_in_each_member_s_language(
    published: Pledge, entity_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    MembershipFactory(entity=entity_a, user=UserFactory(email="fr@example.org", language="fr"))
    _entity, user = co_pledger(published)

    with django_capture_on_commit_callbacks(execute=True):
        submit_update(pledge=published, data=_report(), by=user)

    reviewers = {r.email for r in secretariat_recipients()}  # told of a new update to review
    to_lead = {m.to[0]: m for m in mail.outbox if m.to[0] not in reviewers}
    assert set(to_lead) == {"member-a@example.org", "fr@example.org"}
    assert "co-pledges" in to_lead["member-a@example.org"].body
    assert to_lead["member-a@example.org"].subject.startswith("Co-pledger ")
    # One message per recipient, composed in the recipient's language (`notifications.delivery`).
    assert all(len(m.to) == 1 for m in to_lead.values())
    assert user.email not in to_lead


def test_the_lead_submitting_an_update_sends_no_co_pledger_mail(
    published: Pledge, member_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        update = submit_update(pledge=published, data=_report(), by=member_a)

    assert update.entity == published.entity
    assert not [m for m in mail.outbox if "reported progress on your pledge" in m.subject]


def test_the_pages_and_the_api_name_the_reporting_entity(
    published: Pledge, member_a: Any, secretariat: Any, client: Client
) -> None:
    entity, user = co_pledger(published)
    client.force_login(user)
    response = client.post(
        f"/pledges/{published.reference}/updates/new/",
        {"status": "in_progress", "reported_on": "2026-01-05", "narrative": "Our share."},
    )
    update = PledgeUpdate.objects.get()

    client.force_login(member_a)
    lead_view = client.get(f"/pledges/{published.reference}/").content.decode()
    client.logout()
    before_approval = client.get(f"/pledges/{published.reference}/").content.decode()
    review_update(update=update, action="approve", by=secretariat)
    public = client.get(f"/pledges/{published.reference}/").content.decode()
    api = APIClient().get("/api/v1/pledge-updates/", {"pledge": published.reference}).json()

    assert response.status_code == 302
    assert f"Reported by {entity.name}" in lead_view
    assert f"Reported by {entity.name}" not in before_approval  # pending: not public
    assert f"Reported by {entity.name}" in public
    assert api["results"][0]["entity"]["name"] == entity.name


def test_a_co_pledger_reports_through_the_api(published: Pledge) -> None:
    entity, user = co_pledger(published)
    api = APIClient()
    api.force_authenticate(user)

    response = api.post(
        "/api/v1/pledge-updates/",
        {
            "pledge": published.reference,
            "status": "planning",
            "narrative": "From the co-pledger.",
            "reported_on": "2026-01-05",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["entity"]["id"] == str(entity.public_id)


def test_a_co_pledger_sees_its_own_pending_and_returned_updates(
    published: Pledge, secretariat: Any, member_b: Any
) -> None:
    _entity, user = co_pledger(published)
    update = submit_update(pledge=published, data=_report(), by=user)
    review_update(update=update, action="return", by=secretariat, reason="Add the figures.")
    as_co_pledger = APIClient()
    as_co_pledger.force_authenticate(user)
    as_outsider = APIClient()
    as_outsider.force_authenticate(member_b)

    own = as_co_pledger.get("/api/v1/pledge-updates/", {"pledge": published.reference}).json()
    other = as_outsider.get("/api/v1/pledge-updates/", {"pledge": published.reference}).json()

    assert [u["review_note"] for u in own["results"]] == ["Add the figures."]
    assert other["results"] == []


def test_the_review_queue_and_page_name_the_co_pledger(
    published: Pledge, secretariat: Any, client: Client
) -> None:
    entity, user = co_pledger(published)
    update = submit_update(pledge=published, data=_report(), by=user)
    client.force_login(secretariat)

    queue = client.get("/review/updates/").content.decode()
    page = client.get(f"/review/updates/{update.pk}/").content.decode()

    assert f"Reported by {entity.name}" in queue
    assert entity.name in page
    assert "co-pledger" in page
