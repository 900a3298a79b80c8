"""The progress update form: members of the submitting entity, published pledges only."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge, PledgeUpdate, UpdateReviewState

pytestmark = pytest.mark.django_db


def url(pledge: Pledge) -> str:
    return f"/pledges/{pledge.reference}/updates/new/"


def update_data(pledge: Pledge, **overrides: Any) -> dict[str, Any]:
    enrolled, share = pledge.targets.order_by("id")
    data: dict[str, Any] = {
        "status": "in_progress",
        "reported_on": "2024-06-30",
        "narrative": "Enrolment started in three counties.",
        "challenges": "",
        "evidence_links": "https://example.org/report.pdf\n\nhttps://example.org/photos",
        "disbursed_amount": "250000",
        f"actual_{enrolled.pk}": "2500",
        f"actual_{share.pk}": "",
    }
    data.update(overrides)
    return data


def test_login_is_required_when_anonymous(client: Client, published: Pledge) -> None:
    response = client.get(url(published))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_form_has_status_narrative_evidence_money_and_one_actual_per_target(
    logged_in: Any, published: Pledge, member_a: Any
) -> None:
    response = logged_in(member_a).get(url(published))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="status"' in page
    assert '<label for="id_narrative">' in page
    assert '<label for="id_evidence_links">' in page
    assert '<label for="id_disbursed_amount">' in page
    for target in published.targets.all():
        assert f'<label for="id_actual_{target.pk}">{target.metric}' in page
    assert "Submit update" in page


def test_disbursed_amount_is_not_asked_when_the_pledge_has_no_amount(
    logged_in: Any, published: Pledge, member_a: Any
) -> None:
    Pledge.objects.filter(pk=published.pk).update(amount=None, currency=None)

    page = logged_in(member_a).get(url(published)).content.decode()

    assert "disbursed_amount" not in page


def test_update_is_submitted_with_actuals_and_evidence_when_valid(
    logged_in: Any, published: Pledge, member_a: Any
) -> None:
    response = logged_in(member_a).post(url(published), update_data(published), follow=True)

    update = PledgeUpdate.objects.get()
    enrolled = published.targets.order_by("id").first()
    assert update.review_state == UpdateReviewState.PENDING
    assert update.reported_on == dt.date(2024, 6, 30)
    assert update.evidence_links == [
        "https://example.org/report.pdf",
        "https://example.org/photos",
    ]
    assert update.disbursed_amount == Decimal("250000")
    assert list(update.actuals.values_list("target", "value")) == [(enrolled.pk, Decimal("2500"))]
    assert response.redirect_chain == [(f"/pledges/{published.reference}/#updates", 302)]
    assert "the secretariat will review it" in response.content.decode()


def test_bad_evidence_link_is_a_field_error_and_nothing_is_saved(
    logged_in: Any, published: Pledge, member_a: Any
) -> None:
    data = update_data(published, evidence_links="not a link")

    page = logged_in(member_a).post(url(published), data).content.decode()

    assert not PledgeUpdate.objects.exists()
    assert 'id="id_evidence_links_error"' in page
    assert "is not a web address" in page
    assert '<a href="#id_evidence_links">' in page


def test_missing_narrative_and_negative_actual_are_field_errors(
    logged_in: Any, published: Pledge, member_a: Any
) -> None:
    enrolled = published.targets.order_by("id").first()
    data = update_data(published, narrative="", **{f"actual_{enrolled.pk}": "-5"})

    page = logged_in(member_a).post(url(published), data).content.decode()

    assert not PledgeUpdate.objects.exists()
    assert 'id="id_narrative_error"' in page
    assert f'id="id_actual_{enrolled.pk}_error"' in page
    assert f'<a href="#id_actual_{enrolled.pk}">Children enrolled:' in page


def test_percentage_actual_over_100_is_refused(
    logged_in: Any, published: Pledge, member_a: Any
) -> None:
    share = published.targets.order_by("id").last()
    data = update_data(published, **{f"actual_{share.pk}": "120"})

    page = logged_in(member_a).post(url(published), data).content.decode()

    assert not PledgeUpdate.objects.exists()
    assert f'id="id_actual_{share.pk}_error"' in page


def test_future_report_date_is_refused(logged_in: Any, published: Pledge, member_a: Any) -> None:
    data = update_data(published, reported_on="2999-01-01")

    page = logged_in(member_a).post(url(published), data).content.decode()

    assert not PledgeUpdate.objects.exists()
    assert 'id="id_reported_on_error"' in page


def test_update_is_forbidden_when_the_pledge_is_not_published(
    logged_in: Any, draft: Pledge, member_a: Any
) -> None:
    client = logged_in(member_a)

    assert client.get(url(draft)).status_code == 403
    assert client.post(url(draft), {"status": "in_progress", "narrative": "x"}).status_code == 403
    assert not PledgeUpdate.objects.exists()


@pytest.mark.parametrize("who", ["member_b", "secretariat"])
def test_update_is_forbidden_when_not_a_member_of_the_submitting_entity(
    logged_in: Any, published: Pledge, who: str, request: pytest.FixtureRequest
) -> None:
    client = logged_in(request.getfixturevalue(who))

    assert client.get(url(published)).status_code == 403
    assert client.post(url(published), update_data(published)).status_code == 403
    assert not PledgeUpdate.objects.exists()


def test_update_form_of_a_hidden_draft_is_not_found(
    logged_in: Any, draft: Pledge, member_b: Any
) -> None:
    assert logged_in(member_b).get(url(draft)).status_code == 404
