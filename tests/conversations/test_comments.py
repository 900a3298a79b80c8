"""Private conversations: the reviewer asks, the submitter answers, both see the thread with the
review decisions between the comments; the other side is told; nobody else sees any of it."""

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conversations.models import Comment
from conversations.services import add_comment
from core.models import AuditEntry
from pledges.models import ReviewState
from pledges.services import transition_pledge
from tests.factories import PledgeFactory, PledgeUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge(entity_a: Any) -> Any:
    return PledgeFactory(
        entity=entity_a, review_state=ReviewState.SUBMITTED, geography_scope="global"
    )


def test_reviewer_asks_member_answers_and_each_side_is_told_with_decisions_between(
    pledge: Any, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(pledge=pledge, by=secretariat, body="Which counties?")
    [asked] = mail.outbox
    assert asked.to == [member_a.email]
    assert asked.subject == f"The secretariat commented on your pledge {pledge.reference}"
    assert "Which counties?" in asked.body
    assert f"/pledges/{pledge.reference}/conversation/" in asked.body
    transition_pledge(pledge=pledge, action="request_changes", by=secretariat, reason="Name them.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(pledge=pledge, by=member_a, body="Turkana and Garissa.")
    assert [m.to for m in mail.outbox] == [[secretariat.email]]
    assert AuditEntry.objects.filter(action="conversations.comment.added").count() == 2

    client = Client()
    client.force_login(member_a)
    page = client.get(reverse("conversations:pledge-thread", args=[pledge.reference]))
    text = page.content.decode()
    assert text.index("Which counties?") < text.index("Name them.") < text.index("Turkana")


def test_comment_is_refused_with_a_field_message_when_empty_or_by_an_outsider(
    pledge: Any, member_a: Any, member_b: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        add_comment(pledge=pledge, by=member_a, body="   ")
    assert "body" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        add_comment(pledge=pledge, by=member_b, body="Let me in.")
    assert not Comment.objects.exists()

    client = Client()
    client.force_login(member_a)
    url = reverse("conversations:pledge-thread", args=[pledge.reference])
    response = client.post(url, {"body": ""})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_thread_of_a_published_pledge_is_never_public(
    entity_a: Any, member_a: Any, member_b: Any, client: Client
) -> None:
    published = PledgeFactory(entity=entity_a, review_state=ReviewState.PUBLISHED)
    update = PledgeUpdateFactory(pledge=published)
    add_comment(pledge=published, by=member_a, body="Private words", update=update)
    add_comment(pledge=published, by=member_a, body="More private words")
    urls = [
        reverse("conversations:pledge-thread", args=[published.reference]),
        reverse("conversations:update-thread", args=[update.pk]),
    ]
    pages = [
        reverse("pledges:pledge-detail", args=[published.reference]),
        reverse("pledges:pledge-history", args=[published.reference]),
        f"/api/v1/pledges/{published.reference}/",
    ]

    for url in urls:
        assert client.get(url).status_code == 302  # to the log-in page
    for page in pages:
        assert "private words" not in client.get(page).content.decode().lower()
    client.force_login(member_b)
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(member_a)
    assert "Private words" in client.get(urls[1]).content.decode()
    assert "Private words" not in client.get(urls[0]).content.decode()  # each its own thread
