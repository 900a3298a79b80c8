"""The reviewer's decision page lists the pledges a submission may repeat, and the reviewer marks
it as a duplicate of one of them (or takes that back) with a reason; refusals change nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from core.models import AuditEntry
from pledges.models import Entity, LinkKind, Pledge, PledgeLink, ReviewState
from tests.factories import EntityFactory, PledgeRows

pytestmark = pytest.mark.django_db


def _page(pledge: Pledge) -> str:
    return f"/review/pledges/{pledge.reference}/decision/"


def _post(pledge: Pledge) -> str:
    return f"/review/pledges/{pledge.reference}/duplicate/"


@pytest.fixture
def submitted(make_pledge: Callable[..., Pledge]) -> Pledge:
    return make_pledge(state="submitted")


@pytest.fixture
def original(reference_data: None, submitted: Pledge) -> Pledge:
    """Another entity's draft with the same title: the secretariat sees it, nobody else."""
    return PledgeRows(first=500)(
        title=submitted.title, entity=EntityFactory(), state=ReviewState.DRAFT
    )


def test_the_decision_page_lists_similar_pledges_with_why(
    secretariat_client: Client, submitted: Pledge, original: Pledge
) -> None:
    page = secretariat_client.get(_page(submitted)).content.decode()

    assert "Possible duplicates" in page
    assert original.reference in page
    assert original.entity.name in page
    assert "title 100% alike" in page
    assert "Draft" in page


def test_the_reviewer_marks_a_duplicate_with_a_reason_then_removes_it(
    secretariat_client: Client, submitted: Pledge, original: Pledge, secretariat: Any
) -> None:
    version = submitted.version

    response = secretariat_client.post(
        _post(submitted),
        {"duplicate": "mark", "target": original.reference.lower(), "reason": "Same pledge twice."},
        follow=True,
    )

    link = PledgeLink.objects.get(source=submitted, kind=LinkKind.DUPLICATE_OF)
    assert link.target == original
    assert "is marked as a duplicate of" in response.content.decode()
    entry = AuditEntry.objects.get(action="pledges.duplicate.marked")
    assert (entry.actor, entry.reason, entry.data["target"]) == (
        secretariat,
        "Same pledge twice.",
        original.reference,
    )
    submitted.refresh_from_db()
    assert submitted.version == version + 1  # sync sees the change

    secretariat_client.post(
        _post(submitted), {"duplicate": "remove", "reason": "Different schools after all."}
    )

    assert not PledgeLink.objects.filter(source=submitted).exists()
    assert AuditEntry.objects.get(action="pledges.duplicate.unmarked").reason == (
        "Different schools after all."
    )


@pytest.mark.parametrize(
    ("target", "reason", "field", "message"),
    [
        ("self", "Twice.", "target", "A pledge cannot be a duplicate of itself."),
        ("GRF23-99999", "Twice.", "target", "No pledge with that reference."),
        ("", "Twice.", "target", "No pledge with that reference."),
        ("original", "  ", "reason", "Give a reason"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_changes_nothing(
    secretariat_client: Client,
    submitted: Pledge,
    original: Pledge,
    target: str,
    reason: str,
    field: str,
    message: str,
) -> None:
    reference = {"self": submitted.reference, "original": original.reference}.get(target, target)
    version = submitted.version

    response = secretariat_client.post(
        _post(submitted), {"duplicate": "mark", "target": reference, "reason": reason}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="duplicate-{field}-error"' in page
    assert message in page
    assert not PledgeLink.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="pledges.duplicate.").exists()
    submitted.refresh_from_db()
    assert submitted.version == version


def test_a_second_duplicate_mark_and_a_cycle_are_refused(
    secretariat_client: Client, submitted: Pledge, original: Pledge, reference_data: None
) -> None:
    third = PledgeRows(first=600)(title="Third", entity=EntityFactory())
    PledgeLink.objects.create(source=submitted, target=original, kind=LinkKind.DUPLICATE_OF)

    again = secretariat_client.post(
        _post(submitted), {"duplicate": "mark", "target": third.reference, "reason": "Also."}
    )
    cycle = secretariat_client.post(
        _post(original), {"duplicate": "mark", "target": submitted.reference, "reason": "Back."}
    )

    assert again.status_code == cycle.status_code == 400
    assert "remove that first" in again.content.decode()
    assert PledgeLink.objects.count() == 1


def test_removing_a_mark_that_is_not_there_is_refused(
    secretariat_client: Client, submitted: Pledge
) -> None:
    response = secretariat_client.post(_post(submitted), {"duplicate": "remove", "reason": "Oops."})

    assert response.status_code == 400
    assert "is not marked as a duplicate" in response.content.decode()


def test_members_cannot_mark_duplicates(
    client: Client, member_a: Any, submitted: Pledge, original: Pledge
) -> None:
    client.force_login(member_a)

    response = client.post(
        _post(submitted), {"duplicate": "mark", "target": original.reference, "reason": "Mine."}
    )

    assert response.status_code == 403
    assert not PledgeLink.objects.exists()


def test_the_service_refuses_a_pledge_the_caller_cannot_see(
    submitted: Pledge, original: Pledge, member_a: Any, entity_a: Entity
) -> None:
    """A reviewer sees every pledge; the service still checks visibility of the target, so
    that a caller without the review permission learns nothing about drafts."""
    from django.core.exceptions import PermissionDenied

    from pledges.services import mark_duplicate

    with pytest.raises(PermissionDenied):
        mark_duplicate(
            pledge=submitted, target_reference=original.reference, by=member_a, reason="x"
        )
    assert not PledgeLink.objects.exists()
