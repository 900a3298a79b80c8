"""Creating pledges in bulk (an import) leaves what creating them one by one leaves: numbered
references, the M2M sets, one history version holding them, audit entries, co-pledgers and
progress marks; and refuses exactly what `create_pledge` and publication refuse."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compacts.models import Objective
from core.audit import entries_for
from pledges.models import ParticipantStatus, Pledge, PledgeProgressMark, ReviewState
from pledges.services import PledgeInput, create_pledge
from pledges.services.bulk import NewPledge, create_pledges
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

PUBLISHED_AT = dt.datetime(2023, 12, 13, 12, tzinfo=dt.UTC)


def test_bulk_pledges_match_one_by_one_creation(
    make_input: Callable[..., PledgeInput], member_a: Any, secretariat: Any
) -> None:
    partner = EntityFactory(is_verified=True)
    objectives = list(Objective.objects.filter(compact__code="GCR", number__in=[1, 3]))
    single = create_pledge(data=make_input(objectives=objectives), by=member_a)

    first, second = create_pledges(
        [
            NewPledge(data=make_input(objectives=objectives), co_pledgers=[partner]),
            NewPledge(data=make_input(title="Second"), published_at=PUBLISHED_AT),
        ],
        by=secretariat,
        reason="Import 1 of grf.csv",
    )

    number = int(single.reference.rsplit("-", 1)[1])
    assert [first.reference, second.reference] == [
        f"GRF23-{number + 1:05d}",
        f"GRF23-{number + 2:05d}",
    ]
    assert {o.number for o in first.objectives.all()} == {1, 3}
    # One history version each, with the same M2M copies as create_pledge's.
    (version,) = first.history.all()
    (single_version,) = single.history.all()
    assert {o.objective_id for o in version.objectives.all()} == {
        o.objective_id for o in single_version.objectives.all()
    }
    assert [c.country_id for c in version.beneficiary_countries.all()] == ["KE"]
    # Search finds it by what it is about, in the six languages, as a pledge created alone:
    # the vector written with the INSERT is the one `create_pledge` stores.
    contexts = dict(Pledge.objects.values_list("pk", "context_search_vector"))
    assert "kenya" in str(contexts[first.pk])
    assert contexts[first.pk] == contexts[single.pk]
    assert version.history_change_reason == "Import 1 of grf.csv"
    assert version.history_user == secretariat
    # The co-pledger joins as accepted, audited.
    (participant,) = first.participants.all()
    assert (participant.entity, participant.status) == (partner, ParticipantStatus.ACCEPTED)
    assert sorted(e.action for e in entries_for(first)) == [
        "pledges.participant.accepted",
        "pledges.pledge.created",
    ]
    # The second is published on its day, its version says so, and the figures will count it.
    second.refresh_from_db()
    assert (second.review_state, second.published_at) == (ReviewState.PUBLISHED, PUBLISHED_AT)
    assert second.history.get().review_state == ReviewState.PUBLISHED
    assert "pledges.pledge.publish" in {e.action for e in entries_for(second)}
    assert list(PledgeProgressMark.objects.values_list("pledge_id", flat=True)) == [second.pk]


def test_bulk_creation_refuses_all_for_one_bad_pledge(
    make_input: Callable[..., PledgeInput], entity_a: Any, secretariat: Any
) -> None:
    before = entity_a.pledges.count()
    unverified = EntityFactory(is_verified=False)

    with pytest.raises(ValidationError) as error:
        create_pledges(
            [
                NewPledge(data=make_input()),
                NewPledge(data=make_input(entity=unverified), published_at=PUBLISHED_AT),
            ],
            by=secretariat,
            reason="",
        )

    assert "is not verified" in error.value.message_dict["entity"][0]
    assert entity_a.pledges.count() == before


def test_only_the_secretariat_creates_in_bulk(
    make_input: Callable[..., PledgeInput], member_a: Any
) -> None:
    with pytest.raises(PermissionDenied):
        create_pledges([NewPledge(data=make_input())], by=member_a, reason="")
