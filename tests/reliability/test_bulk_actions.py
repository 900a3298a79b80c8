"""Bulk actions validate every row first and apply none if any is refused, naming each refused
row with its reference and reason — so the reviewer fixes them all in one go, and a half-done
bulk publish can never exist."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from accounts.models import User
from compacts.models import Objective
from core.models import AuditEntry
from pledges.models import Entity, Pledge, PledgeUpdate, ReviewState, UpdateReviewState
from pledges.services import (
    BulkActionRefused,
    PledgeInput,
    UpdateInput,
    bulk_publish,
    bulk_review_updates,
    create_pledge,
    submit_update,
    transition_pledge,
)

pytestmark = pytest.mark.django_db
BULK = "/review/publish/"


@pytest.fixture
def mixed_batch(
    submitted_pledge: Callable[..., Pledge],
    make_pledge_input: Callable[..., PledgeInput],
    member_a: User,
    member_b: User,
) -> dict[str, Pledge]:
    """Three publishable pledges, a draft, and a submitted pledge whose entity has since lost
    its verification (a validation refusal rather than a state refusal)."""
    good = [submitted_pledge(title=f"Good pledge {n}") for n in range(3)]
    draft = create_pledge(data=make_pledge_input(title="Still a draft"), by=member_a)
    entity_b = member_b.memberships.get().entity
    of_b = create_pledge(data=make_pledge_input(entity=entity_b, title="Entity B's"), by=member_b)
    transition_pledge(pledge=of_b, action="submit", by=member_b)
    Entity.objects.filter(pk=entity_b.pk).update(is_verified=False)
    rows = {"good0": good[0], "good1": good[1], "good2": good[2], "draft": draft, "b": of_b}
    return {name: Pledge.objects.get(pk=p.pk) for name, p in rows.items()}


def _untouched(batch: dict[str, Pledge]) -> None:
    for pledge in batch.values():
        fresh = Pledge.objects.get(pk=pledge.pk)
        assert (fresh.review_state, fresh.version) == (pledge.review_state, pledge.version)
    assert not AuditEntry.objects.filter(action="pledges.pledge.publish").exists()
    assert not Objective.objects.filter(progress_stale_since__isnull=False).exists()


def test_service_names_every_refused_pledge_and_publishes_none(
    mixed_batch: dict[str, Pledge], secretariat: User
) -> None:
    mail.outbox.clear()

    with pytest.raises(BulkActionRefused) as refused:
        bulk_publish(pledges=list(mixed_batch.values()), by=secretariat)

    reasons = {r.reference: r.reason for r in refused.value.refusals}
    assert set(reasons) == {mixed_batch["draft"].reference, mixed_batch["b"].reference}
    assert "is draft" in reasons[mixed_batch["draft"].reference]
    assert "has not been verified" in reasons[mixed_batch["b"].reference]
    _untouched(mixed_batch)
    assert mail.outbox == [], "no decision e-mail for a publication that was rolled back"


def test_review_queue_lists_each_refusal_and_publishes_nothing(
    mixed_batch: dict[str, Pledge], secretariat: User
) -> None:
    client = Client()
    client.force_login(secretariat)

    response = client.post(BULK, {"pledges": [p.reference for p in mixed_batch.values()]})

    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(said) == 2
    assert all(m.startswith("Nothing was published: ") for m in said)
    assert any(mixed_batch["draft"].reference in m and "draft" in m for m in said)
    assert any(mixed_batch["b"].reference in m and "not been verified" in m for m in said)
    for name in ("good0", "good1", "good2"):
        assert all(mixed_batch[name].reference not in m for m in said)
    _untouched(mixed_batch)


def test_every_unknown_reference_is_named_not_just_the_first(
    submitted_pledge: Callable[..., Pledge], secretariat: User
) -> None:
    good = submitted_pledge()
    client = Client()
    client.force_login(secretariat)

    response = client.post(BULK, {"pledges": [good.reference, "NOPE-00001", "NOPE-00002"]})

    said = sorted(str(m) for m in get_messages(response.wsgi_request))
    assert said == ["There is no pledge NOPE-00001.", "There is no pledge NOPE-00002."]
    assert Pledge.objects.get(pk=good.pk).review_state == ReviewState.SUBMITTED


def test_the_same_batch_publishes_in_full_once_the_bad_rows_are_left_out(
    mixed_batch: dict[str, Pledge], secretariat: User
) -> None:
    good = [mixed_batch[n] for n in ("good0", "good1", "good2")]

    published = bulk_publish(pledges=good, by=secretariat)

    assert [p.review_state for p in published] == [ReviewState.PUBLISHED] * 3
    assert AuditEntry.objects.filter(action="pledges.pledge.publish").count() == 3


def test_bulk_approval_of_updates_is_all_or_none_with_each_refusal_named(
    submitted_pledge: Callable[..., Pledge], member_a: User, secretariat: User
) -> None:
    pledge = transition_pledge(pledge=submitted_pledge(), action="publish", by=secretariat)

    updates = [
        submit_update(
            pledge=pledge,
            data=UpdateInput(
                status="in_progress", narrative=f"Step {n}", reported_on=dt.date(2026, 1, n + 1)
            ),
            by=member_a,
        )
        for n in range(3)
    ]
    bulk_review_updates(updates=[updates[1]], action="return", by=secretariat, reason="Evidence?")

    with pytest.raises(BulkActionRefused) as refused:
        bulk_review_updates(updates=updates, action="approve", by=secretariat)

    [refusal] = refused.value.refusals
    assert refusal.reference == f"{pledge.reference} (update {updates[1].pk})"
    assert "already been reviewed" in refusal.reason
    assert set(
        PledgeUpdate.objects.filter(pk__in=[updates[0].pk, updates[2].pk]).values_list(
            "review_state", flat=True
        )
    ) == {UpdateReviewState.PENDING}
    assert Pledge.objects.get(pk=pledge.pk).implementation_status == ""
