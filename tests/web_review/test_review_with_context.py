"""Review with context: the decision page shows the whole pledge and, for a resubmission, what
changed since the last submission; the edit form shows the changes asked for; the secretariat
lands on its queue after logging in; the queues search text and remember their filters."""

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from core.models import Country
from forums.models import Forum
from pledges.models import Pledge, PledgeUpdate
from pledges.services import PledgeInput, transition_pledge, update_pledge

pytestmark = pytest.mark.django_db


def decision_page(client: Client, pledge: Pledge) -> str:
    return client.get(f"/review/pledges/{pledge.reference}/decision/").content.decode()


def test_the_decision_page_shows_what_changed_since_the_last_submission_when_resubmitted(
    secretariat_client: Client,
    make_pledge: Callable[..., Pledge],
    member_a: Any,
    secretariat: Any,
) -> None:
    pledge = make_pledge(state="submitted")
    transition_pledge(pledge=pledge, action="request_changes", by=secretariat, reason="Kenya?")
    pledge.refresh_from_db()
    content = PledgeInput.from_pledge(pledge)
    content.title = "Enrol refugee children in Ugandan schools"
    content.beneficiary_countries = [Country.objects.get(code="UG")]
    update_pledge(pledge=pledge, data=content, by=member_a)
    transition_pledge(pledge=pledge, action="resubmit", by=member_a)

    page = decision_page(secretariat_client, pledge)

    assert "What changed since the last submission" in page
    assert "<del>Include refugee children in national schools</del>" in page
    assert "<ins>Enrol refugee children in Ugandan schools</ins>" in page
    assert "<del>Kenya</del>" in page
    assert "<ins>Uganda</ins>" in page
    # The whole pledge is on the page: its description and countries.
    assert "We will enrol 10,000 refugee children" in page


def test_the_edit_form_shows_the_changes_asked_for_when_changes_were_requested(
    client: Client, make_pledge: Callable[..., Pledge], member_a: Any, secretariat: Any
) -> None:
    pledge = make_pledge(state="submitted")
    transition_pledge(
        pledge=pledge, action="request_changes", by=secretariat, reason="Name the counties."
    )
    client.force_login(member_a)

    page = client.get(reverse("pledges:pledge-edit", args=[pledge.reference])).content.decode()

    assert "Changes the secretariat asked for" in page
    assert "Name the counties." in page


def test_the_secretariat_lands_on_its_queue_when_logging_in(
    client: Client, secretariat: Any
) -> None:
    secretariat.set_password("a long enough password")
    secretariat.save()
    EmailAddress.objects.update_or_create(
        user=secretariat, email=secretariat.email, defaults={"verified": True, "primary": True}
    )

    response = client.post(
        "/accounts/login/", {"login": secretariat.email, "password": "a long enough password"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/review/"


def test_the_queue_remembers_its_filters_and_drops_those_that_no_longer_exist(
    secretariat_client: Client, make_pledge: Callable[..., Pledge]
) -> None:
    make_pledge(state="submitted")
    forum = Forum.objects.get(code="GRF23")
    secretariat_client.get(f"/review/?q=schools&forum={forum.pk}")

    back = secretariat_client.get("/review/")

    assert back.status_code == 302
    assert back["Location"] == f"/review/?q=schools&forum={forum.pk}"

    session = secretariat_client.session
    session["review-filters:pledges"] = "q=schools&forum=999999"
    session.save()
    assert secretariat_client.get("/review/")["Location"] == "/review/?q=schools"

    assert secretariat_client.get("/review/?clear=1").status_code == 302
    assert secretariat_client.get("/review/").status_code == 200


def test_the_update_queue_finds_updates_by_text_when_searching(
    secretariat_client: Client,
    published_pledge: Pledge,
    make_update: Callable[..., PledgeUpdate],
) -> None:
    make_update(published_pledge)

    found = secretariat_client.get("/review/updates/?q=schools")
    missed = secretariat_client.get("/review/updates/?q=zanzibar")

    assert len(found.context["page_obj"]) == 1
    assert len(missed.context["page_obj"]) == 0
