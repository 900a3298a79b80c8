"""Progress updates: reported by members on published pledges, counted once approved."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Currency
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge, PledgeUpdate, TargetUnit, UpdateReviewState
from pledges.services import (
    PledgeInput,
    TargetInput,
    UpdateInput,
    create_pledge,
    review_update,
    submit_update,
    transition_pledge,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(make_input: Callable[..., PledgeInput], member_a: Any, secretariat: Any) -> Pledge:
    data = make_input(
        amount=Decimal("1000000"),
        currency=Currency.objects.get(code="USD"),
        targets=[
            TargetInput(metric="Children enrolled", unit=TargetUnit.PERSONS, target_value=10000),
            TargetInput(metric="Share in school", unit=TargetUnit.PERCENT, target_value=80),
        ],
    )
    pledge = create_pledge(data=data, by=member_a)
    transition_pledge(pledge=pledge, action="submit", by=member_a)
    return transition_pledge(pledge=pledge, action="publish", by=secretariat)


def report(pledge: Pledge, **overrides: Any) -> UpdateInput:
    values: dict[str, Any] = {
        "status": "in_progress",
        "narrative": "Enrolment started in three counties.",
        "reported_on": dt.date(2024, 6, 30),
    }
    values.update(overrides)
    return UpdateInput(**values)


def test_member_reports_progress_with_actuals_and_evidence(
    published: Pledge, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    enrolled, share = published.targets.order_by("id")
    data = report(
        published,
        actuals={enrolled.pk: Decimal("2500"), share.pk: Decimal("20")},
        evidence_links=["https://example.org/report.pdf"],
        disbursed_amount=Decimal("250000"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        update = submit_update(pledge=published, data=data, by=member_a)

    assert update.review_state == UpdateReviewState.PENDING
    assert {a.target_id: a.value for a in update.actuals.all()} == {
        enrolled.pk: Decimal("2500.00"),
        share.pk: Decimal("20.00"),
    }
    assert mail.outbox[-1].to == ["secretariat@example.org"]
    published.refresh_from_db()
    assert published.implementation_status == ""  # pending updates do not count


def test_approval_sets_the_pledge_status_from_the_latest_approved_update(
    published: Pledge, member_a: Any, secretariat: Any
) -> None:
    older = submit_update(
        pledge=published,
        data=report(published, status="planning", reported_on=dt.date(2024, 1, 31)),
        by=member_a,
    )
    newer = submit_update(
        pledge=published,
        data=report(published, status="in_progress", reported_on=dt.date(2024, 7, 31)),
        by=member_a,
    )

    review_update(update=newer, action="approve", by=secretariat)
    review_update(update=older, action="approve", by=secretariat)  # approved later, but older

    published.refresh_from_db()
    assert published.implementation_status == "in_progress"
    assert published.last_update_on == dt.date(2024, 7, 31)


def test_returned_update_needs_a_reason_and_does_not_count(
    published: Pledge, member_a: Any, secretariat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    update = submit_update(pledge=published, data=report(published), by=member_a)

    with pytest.raises(ValidationError):
        review_update(update=update, action="return", by=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        returned = review_update(
            update=update, action="return", by=secretariat, reason="Add the source."
        )

    assert returned.review_state == UpdateReviewState.RETURNED
    assert returned.review_note == "Add the source."
    assert "Add the source." in mail.outbox[-1].body
    published.refresh_from_db()
    assert published.implementation_status == ""


def test_update_cannot_be_reviewed_twice(
    published: Pledge, member_a: Any, secretariat: Any
) -> None:
    update = submit_update(pledge=published, data=report(published), by=member_a)
    review_update(update=update, action="approve", by=secretariat)

    with pytest.raises(TransitionNotAllowed):
        review_update(update=update, action="return", by=secretariat, reason="Too late")


def test_member_cannot_approve_own_update(published: Pledge, member_a: Any) -> None:
    update = submit_update(pledge=published, data=report(published), by=member_a)

    with pytest.raises(PermissionDenied):
        review_update(update=update, action="approve", by=member_a)


def test_progress_cannot_be_reported_on_a_draft(draft: Pledge, member_a: Any) -> None:
    with pytest.raises(TransitionNotAllowed):
        submit_update(pledge=draft, data=report(draft), by=member_a)


def test_outsider_cannot_report_progress(published: Pledge, member_b: Any) -> None:
    with pytest.raises(PermissionDenied):
        submit_update(pledge=published, data=report(published), by=member_b)


def test_invalid_update_is_refused_field_by_field_and_saves_nothing(
    published: Pledge, member_a: Any
) -> None:
    _, share = published.targets.order_by("id")
    data = report(
        published,
        status="finished-ish",
        narrative=" ",
        reported_on=dt.date(2999, 1, 1),
        evidence_links=["javascript:alert(1)"],
        actuals={share.pk: Decimal("150"), 999999: Decimal("1")},
        disbursed_amount=Decimal("-5"),
    )

    with pytest.raises(ValidationError) as error:
        submit_update(pledge=published, data=data, by=member_a)

    assert set(error.value.message_dict) == {
        "status",
        "narrative",
        "reported_on",
        "evidence_links",
        "actuals",
        "disbursed_amount",
    }
    assert not PledgeUpdate.objects.exists()
