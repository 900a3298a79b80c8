"""Withdrawing an entity's verification (issue 21's gap): the entity and everything public under
it leave the API, the change feed records the removals as `entity_unverified`, webhooks are
queued, its members are told; verifying it again brings them back. And pledge webhooks for the
doors that only told the feed before: co-pledgers, translations, imports."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from changefeed.models import Change
from core.models import AuditEntry
from imports.services import run_import
from notifications.models import Notification
from pledges.models import Entity, Pledge, PledgeParticipant, ReviewState
from pledges.services import (
    TranslationInput,
    UpdateInput,
    add_translation,
    invite_participant,
    respond_to_invitation,
    review_update,
    submit_update,
    unverify_entity,
    verify_entity,
)
from tests.imports.conftest import known_entities, sample  # noqa: F401  # a fixture
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import SubscriptionInput, create_subscription

from .conftest import Cast, build_cast, publish

pytestmark = pytest.mark.django_db

REASON = "It is not the organisation it claimed to be."


@pytest.fixture
def partner(settings: Any) -> User:
    """A partner listening to every pledge event; deliveries are only recorded, not sent."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_SEND_ON_COMMIT = False
    from tests.factories import UserFactory

    partner = UserFactory(email="sync@partner.example")
    create_subscription(
        owner=partner,
        data=SubscriptionInput(
            url="http://127.0.0.1:9/hooks",
            event_types=["pledge.published", "pledge.updated", "pledge.removed", "update.approved"],
        ),
    )
    return partner


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run a change as its own committed request would (webhooks are recorded on commit)."""

    def run(change: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def events(since: int = 0) -> list[tuple[str, str, str | None]]:
    return [
        (
            e.event_type,
            e.payload["data"].get("reference", e.payload["data"]["id"]),
            e.payload["data"].get("reason"),
        )
        for e in WebhookEvent.objects.filter(pk__gt=since).order_by("pk")
    ]


def fresh_cast(secretariat: User) -> Cast:
    cast = build_cast(secretariat)
    cast.entity_a.refresh_from_db()  # verified by the services
    cast.entity_b.refresh_from_db()
    return cast


def latest(resource: str, key: str) -> Change:
    return Change.objects.filter(resource=resource, key=key).latest("id")


@pytest.fixture
def world(reference_data: None, secretariat: User) -> tuple[Cast, Pledge, Pledge, Any]:
    """Entity A's published pledge with an approved update, and entity B's published pledge
    that entity A co-pledges."""
    cast = fresh_cast(secretariat)
    own, joint = publish(cast), publish(cast, cast.entity_b)
    invitation = invite_participant(pledge=joint, entity=cast.entity_a, by=cast.member_b)
    respond_to_invitation(participant=invitation, accept=True, by=cast.member_a)
    data = UpdateInput(status="in_progress", narrative="Going.", reported_on=dt.date(2026, 1, 5))
    update = submit_update(pledge=own, data=data, by=cast.member_a)
    review_update(update=update, action="approve", by=secretariat)
    return cast, own, joint, update


def test_withdrawing_verification_removes_everything_public_and_verifying_again_restores_it(
    world: tuple[Cast, Pledge, Pledge, Any], partner: User, committed: Callable[..., Any]
) -> None:
    cast, own, joint, update = world
    api = APIClient()
    assert api.get(f"/api/v1/pledges/{own.reference}/").status_code == 200
    start = WebhookEvent.objects.order_by("pk").last()
    start_id = start.pk if start else 0

    committed(lambda: unverify_entity(entity=cast.entity_a, reason=REASON, by=cast.secretariat))

    own.refresh_from_db()
    assert own.review_state == ReviewState.SUSPENDED
    gone = api.get(f"/api/v1/pledges/{own.reference}/")
    assert gone.status_code == 410
    assert gone.json()["reason"] == "entity_unverified"
    assert api.get(f"/api/v1/entities/{cast.entity_a.public_id}/").status_code in {404, 410}
    assert api.get(f"/api/v1/pledge-updates/{update.public_id}/").status_code in {404, 410}
    assert api.get(f"/api/v1/pledges/{joint.reference}/").json()["co_pledgers"] == []
    export = api.get("/api/v1/pledges/", {"format": "csv"})
    assert own.reference not in b"".join(export.streaming_content).decode("utf-8-sig")
    # The feed: the entity and its pledge removed as `entity_unverified`, the update with its
    # pledge, the joint pledge updated (one co-pledger fewer).
    assert latest("entity", str(cast.entity_a.public_id)).reason == "entity_unverified"
    assert latest("pledge", own.reference).reason == "entity_unverified"
    assert latest("pledge_update", str(update.public_id)).reason == "pledge_removed"
    assert latest("pledge", joint.reference).action == "updated"
    # Webhooks queued for the partner, removal with the feed's reason.
    assert sorted(events(start_id)) == [
        ("pledge.removed", own.reference, "entity_unverified"),
        ("pledge.updated", joint.reference, None),
    ]
    assert WebhookDelivery.objects.filter(event__pk__gt=start_id).count() == 2
    # Audited with the reason; its member told.
    assert AuditEntry.objects.filter(action="pledges.entity.unverified", reason=REASON).exists()
    assert AuditEntry.objects.filter(action="pledges.pledge.suspended").count() == 1
    told = Notification.objects.get(user=cast.member_a, subject__contains="no longer verified")
    assert told.kind == "entity"

    start_id = WebhookEvent.objects.order_by("pk").last().pk
    committed(lambda: verify_entity(entity=Entity.objects.get(pk=cast.entity_a.pk),
                                    by=cast.secretariat))  # fmt: skip

    own.refresh_from_db()
    assert own.review_state == ReviewState.PUBLISHED
    assert api.get(f"/api/v1/pledges/{own.reference}/").status_code == 200
    assert api.get(f"/api/v1/pledge-updates/{update.public_id}/").status_code == 200
    assert latest("pledge", own.reference).action == "created"
    assert latest("pledge_update", str(update.public_id)).action == "created"
    assert latest("entity", str(cast.entity_a.public_id)).action == "created"
    assert sorted(events(start_id)) == [
        ("pledge.published", own.reference, None),
        ("pledge.updated", joint.reference, None),
        ("update.approved", str(update.public_id), None),  # public again with its pledge
    ]


def test_what_an_unverified_co_pledger_reported_on_another_entity_s_pledge_leaves_public_view(
    world: tuple[Cast, Pledge, Pledge, Any],
) -> None:
    # Entity A co-pledges B's pledge and reports on it; once A is no longer verified, nothing
    # public may speak in its name, its report on B's pledge included.
    cast, _own, joint, _update = world
    data = UpdateInput(
        status="in_progress", narrative="A's share.", reported_on=dt.date(2026, 2, 1)
    )
    report = submit_update(pledge=joint, data=data, by=cast.member_a, entity=cast.entity_a)
    review_update(update=report, action="approve", by=cast.secretariat)
    api = APIClient()
    listed = f"/api/v1/pledge-updates/?pledge={joint.reference}"
    assert api.get(f"/api/v1/pledge-updates/{report.public_id}/").status_code == 200

    unverify_entity(entity=cast.entity_a, reason=REASON, by=cast.secretariat)

    assert api.get(f"/api/v1/pledge-updates/{report.public_id}/").status_code in {404, 410}
    assert str(report.public_id) not in api.get(listed).text
    assert "A's share." not in Client().get(f"/pledges/{joint.reference}/").text
    assert latest("pledge_update", str(report.public_id)).reason == "entity_unverified"
    reviewer = APIClient()
    reviewer.force_authenticate(cast.secretariat)
    assert reviewer.get(f"/api/v1/pledge-updates/{report.public_id}/").status_code == 200

    verify_entity(entity=Entity.objects.get(pk=cast.entity_a.pk), by=cast.secretariat)

    assert api.get(f"/api/v1/pledge-updates/{report.public_id}/").status_code == 200
    assert latest("pledge_update", str(report.public_id)).action == "created"


def test_an_unverified_co_pledger_s_report_no_longer_sets_the_pledge_s_public_status(
    world: tuple[Cast, Pledge, Pledge, Any],
) -> None:
    # B reports its joint pledge in progress; A, co-pledging, reports it fulfilled later. The
    # status the pledge shows is A's, in A's name: it must follow A's verification too.
    cast, _own, joint, _update = world
    for by, entity, status, day in [
        (cast.member_b, cast.entity_b, "in_progress", 10),
        (cast.member_a, cast.entity_a, "fulfilled", 20),
    ]:
        data = UpdateInput(status=status, narrative="Report.", reported_on=dt.date(2026, 1, day))
        report = submit_update(pledge=joint, data=data, by=by, entity=entity)
        review_update(update=report, action="approve", by=cast.secretariat)

    def shown() -> tuple[str, str]:
        body = APIClient().get(f"/api/v1/pledges/{joint.reference}/").json()
        return body["implementation_status"], body["last_update_on"]

    assert shown() == ("fulfilled", "2026-01-20")

    unverify_entity(entity=cast.entity_a, reason=REASON, by=cast.secretariat)
    assert shown() == ("in_progress", "2026-01-10")

    verify_entity(entity=Entity.objects.get(pk=cast.entity_a.pk), by=cast.secretariat)
    assert shown() == ("fulfilled", "2026-01-20")


def test_the_secretariat_withdraws_a_verification_on_a_confirmation_page_with_a_reason(
    reference_data: None, secretariat: User
) -> None:
    cast = fresh_cast(secretariat)
    url = reverse("pledges:entity-unverify", args=[cast.entity_a.public_id])
    member, staff = Client(), Client()
    member.force_login(cast.member_a)
    staff.force_login(secretariat)

    assert member.get(url).status_code == 403
    assert member.post(url, {"reason": REASON}).status_code == 403
    page = staff.get(url)
    entity_page = staff.get(reverse("pledges:entity-detail", args=[cast.entity_a.public_id]))
    refused = staff.post(url, {"reason": "  "})
    done = staff.post(url, {"reason": REASON})

    assert page.status_code == 200
    assert 'name="reason"' in page.text
    assert url in entity_page.text  # the link to this page, for the secretariat only
    assert refused.status_code == 200
    assert 'aria-invalid="true"' in refused.text
    assert done.status_code == 302
    assert not Entity.objects.get(pk=cast.entity_a.pk).is_verified
    # Already withdrawn: the service refuses, the page says so instead of failing.
    again = staff.post(url, {"reason": REASON}, follow=True)
    assert again.status_code == 200
    assert "is not verified" in again.text
    anonymous = Client().get(reverse("pledges:entity-detail", args=[cast.entity_b.public_id]))
    assert "unverify" not in anonymous.text


def test_co_pledger_and_translation_changes_and_imports_announce_pledge_webhooks(
    reference_data: None,
    secretariat: User,
    partner: User,
    committed: Callable[..., Any],
    known_entities: dict[str, Entity],  # noqa: F811  # the fixture imported above
) -> None:
    cast = fresh_cast(secretariat)
    own = publish(cast)
    start = WebhookEvent.objects.order_by("pk").last()
    start_id = start.pk if start else 0

    invitation = committed(
        lambda: invite_participant(pledge=own, entity=cast.entity_b, by=cast.member_a)
    )
    committed(lambda: respond_to_invitation(participant=invitation, accept=True, by=cast.member_b))
    committed(
        lambda: add_translation(
            pledge=own,
            data=TranslationInput(language="fr", title="Un engagement", description="Texte."),
            by=secretariat,  # a published pledge's text: the secretariat's
        )
    )
    # Invited (its `updated_at` moved on), accepted (one more co-pledger), translated.
    assert events(start_id) == [("pledge.updated", own.reference, None)] * 3

    start_id = WebhookEvent.objects.order_by("pk").last().pk
    report = committed(
        lambda: run_import(
            content=sample("grf_pledges_bom_semicolon.csv").replace(b";Kenia;", b";Kenya;"),
            kind="pledges",
            by=secretariat,
            reason="Import of grf.csv",
            commit=True,
            create_verified=True,
        )
    )

    assert report.committed, report.errors
    imported = set(
        Pledge.objects.filter(
            review_state=ReviewState.PUBLISHED, external_id__startswith="GRF-"
        ).values_list("reference", flat=True)
    )
    published = {ref for kind, ref, _ in events(start_id) if kind == "pledge.published"}
    assert imported
    assert published == imported
    assert PledgeParticipant.objects.filter(pledge__reference__in=imported).exists()
