"""Webhooks end to end against a real receiver on loopback: what is sent (signed, public data
only, filtered), retries while the receiver is down, the pause after failing, replay, and
signing with both secrets during a rotation."""

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from accounts.models import User
from compacts.models import Compact, Objective
from indicators.engine import recompute_objectives
from matching.models import Decision, Match, MatchState
from pledges.models import Pledge, ReviewState, UpdateReviewState
from pledges.services import review_update, transition_pledge
from pledges.services.feed import feed_pledges
from tests.factories import EntityFactory, PledgeRows, PledgeUpdateFactory, UserFactory
from webhooks import services
from webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription
from webhooks.services import SubscriptionInput
from webhooks.tasks import deliver_webhook_task

from .conftest import Receiver

pytestmark = pytest.mark.django_db

ALL = [
    "pledge.published",
    "pledge.updated",
    "pledge.removed",
    "update.approved",
    "match.accepted",
    "progress.updated",
]


@pytest.fixture
def partner(db: None) -> User:
    return UserFactory(email="sync@partner.example")


@pytest.fixture
def subscribe(partner: User, receiver: Receiver) -> Callable[..., tuple[WebhookSubscription, str]]:
    def make(**fields: Any) -> tuple[WebhookSubscription, str]:
        data = {"url": receiver.url, "event_types": ALL, **fields}
        return services.create_subscription(owner=partner, data=SubscriptionInput(**data))

    return make


def verified(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    """Every body the receiver got, checked with the library as a partner's receiver would."""
    return [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]


def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_signed_events_arrive_when_public_changes_commit(
    reference_data: None,
    secretariat: User,
    subscribe: Callable[..., tuple[WebhookSubscription, str]],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription, secret = subscribe()
    rows = PledgeRows(first=70001)
    pledge = rows(state=ReviewState.SUBMITTED, objectives=(3,))
    draft = rows(state=ReviewState.DRAFT)
    update = PledgeUpdateFactory(pledge=rows())
    feed_pledges([update.pledge_id])  # public before: in the feed, as the services leave it
    changes: list[Callable[[], object]] = [
        lambda: transition_pledge(pledge=draft, action="submit", by=draft_member(draft)),
        lambda: transition_pledge(pledge=pledge, action="publish", by=secretariat),
        lambda: review_update(update=update, action="approve", by=secretariat),
        lambda: transition_pledge(pledge=pledge, action="supersede", by=secretariat, reason="."),
        lambda: recompute_objectives(list(pledge.objectives.values_list("pk", flat=True))),
    ]
    for change in changes:  # each its own transaction, as requests are
        with django_capture_on_commit_callbacks(execute=True):
            change()

    for delivery in subscription.deliveries.order_by("pk"):  # as the worker's task does
        assert deliver_webhook_task(delivery.pk) is True
    events = verified(receiver, secret)
    assert [e["type"] for e in events] == [
        "pledge.published",
        "pledge.updated",  # the approved update's pledge: its status follows the update
        "update.approved",
        "pledge.removed",
        "progress.updated",
    ]
    published, status, approved, removed, progress = (e["data"] for e in events)
    assert status["reference"] == update.pledge.reference
    assert (progress["compact"], progress["objective"]) == ("GCR", 3)
    assert published["reference"] == pledge.reference
    assert published["objectives"] == [3]
    assert published["path"] == f"/api/v1/pledges/{pledge.public_id}/"
    assert approved["pledge"] == update.pledge.reference
    assert removed["reason"] == "superseded"
    assert draft.reference not in json.dumps(events)
    # One message id per event, the same header the library checked.
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 5
    attempt = WebhookDelivery.objects.filter(subscription=subscription).first().attempts.get()
    assert (attempt.status_code, attempt.succeeded) == (204, True)
    assert attempt.latency_ms >= 0


def draft_member(pledge: Pledge) -> User:
    from tests.factories import MembershipFactory

    return MembershipFactory(entity=pledge.entity).user


def test_only_matching_subscriptions_get_an_event_when_filters_are_set(
    reference_data: None,
    subscribe: Callable[..., tuple[WebhookSubscription, str]],
    receiver: Receiver,
) -> None:
    gcr = Compact.objects.get(code="GCR")
    _all, all_secret = subscribe(url=f"{receiver.url}?all")
    objective_3, _ = subscribe(objective=Objective.objects.get(compact=gcr, number=3))
    subscribe(compact=Compact.objects.get(code="GCM"))
    pledge = PledgeRows(first=70101)(objectives=(1,))
    seeking, offering = PledgeRows(first=70201)(), PledgeRows(first=70301)(forum="PR25")
    match = Match.objects.create(
        seeking=seeking,
        offering=offering,
        state=MatchState.ACCEPTED,
        seeking_decision=Decision.ACCEPTED,
        offering_decision=Decision.ACCEPTED,
        seeking_decided_at=timezone.now(),
        offering_decided_at=timezone.now(),
        closed_at=timezone.now(),
    )

    services.record_event("pledge.updated", [pledge.pk])
    services.record_event("match.accepted", [match.pk])
    services.record_event("progress.updated", [Objective.objects.get(compact=gcr, number=3).pk])
    services.deliver_due()

    assert objective_3.deliveries.get().event.event_type == "progress.updated"
    to_all = [r for r in receiver.received if r.path.endswith("?all")]
    assert sorted(Webhook(all_secret).verify(r.body, r.headers)["type"] for r in to_all) == [
        "match.accepted",
        "pledge.updated",
        "progress.updated",
    ]
    assert WebhookDelivery.objects.count() == 4  # nothing for the GCM subscription


def test_nothing_is_recorded_when_the_row_is_not_public(
    reference_data: None, subscribe: Callable[..., Any], receiver: Receiver
) -> None:
    subscribe()
    rows = PledgeRows(first=70401)
    draft = rows(state=ReviewState.DRAFT)
    pending = PledgeUpdateFactory(pledge=rows())
    on_draft = PledgeUpdateFactory(pledge=draft, review_state=UpdateReviewState.APPROVED)

    # An approved update of a co-pledger that is not (any more) verified is not public either.
    unverified = EntityFactory(is_verified=False)
    theirs = PledgeUpdateFactory(
        pledge=rows(), entity=unverified, review_state=UpdateReviewState.APPROVED
    )

    assert not services.record_event("pledge.updated", [draft.pk])
    assert not services.record_event("pledge.published", [draft.pk])
    assert not services.record_event("update.approved", [pending.pk, on_draft.pk, theirs.pk])
    assert not WebhookDelivery.objects.exists()


def test_an_import_sized_event_costs_a_constant_number_of_queries_per_chunk(
    reference_data: None,
    subscribe: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Any,
) -> None:
    """An import announces every pledge in one call: described in chunks, not a query (or
    two) per pledge."""
    subscribe()
    monkeypatch.setattr(services, "DESCRIBE_CHUNK", 20)
    rows, entity = PledgeRows(first=70451), EntityFactory()
    published = [rows(entity=entity) for _ in range(40)]
    withdrawn = [rows(entity=entity, state=ReviewState.WITHDRAWN) for _ in range(40)]
    updates = [
        PledgeUpdateFactory(pledge=p, review_state=UpdateReviewState.APPROVED) for p in published
    ]
    # Per chunk: read the rows, their objectives (and successors), a savepoint, two inserts.
    for event_type, rows_ in [
        ("pledge.published", published),
        ("pledge.removed", withdrawn),
        ("update.approved", updates),
    ]:
        with django_assert_max_num_queries(1 + 2 * 7):
            assert services.record_event(event_type, [r.pk for r in rows_]) == 40
    assert WebhookDelivery.objects.count() == 120


def test_retries_then_gives_up_and_pauses_when_the_receiver_is_killed(
    reference_data: None,
    partner: User,
    subscribe: Callable[..., tuple[WebhookSubscription, str]],
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription, secret = subscribe()
    pledge = PledgeRows(first=70501)()
    receiver.kill()

    services.record_event("pledge.updated", [pledge.pk])
    delivery = subscription.deliveries.get()
    # 1 try + 3 retries (the schedule), each logged, then no more.
    until(lambda: services.deliver_due() >= 0 and _state(delivery) == DeliveryState.FAILED)
    attempts = list(delivery.attempts.order_by("attempted_at"))
    assert len(attempts) == 4
    assert all(a.status_code is None and "Connection" in a.error for a in attempts)
    subscription.refresh_from_db()
    assert subscription.failing_since is not None
    assert not subscription.is_paused

    # Failing for longer than the pause limit: the next failure pauses it and tells its owner.
    settings.WEBHOOKS_PAUSE_AFTER_SECONDS = 0
    services.record_event("pledge.updated", [pledge.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves on commit
        services.deliver_due()
    subscription.refresh_from_db()
    assert subscription.is_paused
    assert [m.to for m in mail.outbox] == [[partner.email]]
    assert subscription.url in mail.outbox[0].body
    assert services.deliver_due() == 0  # paused: nothing is tried

    # Back up: resume sends what waited; replay sends the failed one again, same webhook-id.
    receiver.start()
    services.resume_subscription(subscription=subscription, by=partner)
    assert services.deliver_due() == 1
    services.replay_delivery(delivery=delivery, by=partner)
    assert services.deliver_due() == 1
    assert len(verified(receiver, secret)) == 2
    assert receiver.received[-1].headers["webhook-id"] == delivery.event.message_id
    replayed = delivery.attempts.order_by("-attempted_at").first()
    assert (replayed.succeeded, replayed.replay) == (True, True)


def _state(delivery: WebhookDelivery) -> str:
    delivery.refresh_from_db()
    return delivery.state


def test_both_secrets_verify_when_the_secret_was_rotated(
    reference_data: None,
    partner: User,
    subscribe: Callable[..., tuple[WebhookSubscription, str]],
    receiver: Receiver,
) -> None:
    subscription, old = subscribe()
    _subscription, new = services.rotate_secret(subscription=subscription, by=partner)
    services.record_event("pledge.updated", [PledgeRows(first=70601)().pk])
    services.deliver_due()

    assert verified(receiver, old) == verified(receiver, new)
    assert len(receiver.received[0].headers["webhook-signature"].split(" ")) == 2


def test_a_500_is_a_failure_with_its_answer_logged(
    reference_data: None, subscribe: Callable[..., Any], receiver: Receiver
) -> None:
    subscription, _secret = subscribe()
    receiver.status = 500
    services.record_event("pledge.updated", [PledgeRows(first=70701)().pk])
    services.deliver_due()

    delivery = subscription.deliveries.get()
    attempt = delivery.attempts.get()
    assert (attempt.status_code, attempt.succeeded, attempt.response_excerpt) == (
        500,
        False,
        "not today",
    )
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.next_attempt_at is not None
