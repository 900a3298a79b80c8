"""The roll-up of a multistakeholder pledge, docs/progress.md section "Multistakeholder pledges":
the worked example's pledges, of which P1 and P2 were accepted as members of an MSP, P3 only
asked, P4 (withdrawn) was accepted and P5 was removed. Every number is worked out in the doc."""

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from compacts.models import Compact
from indicators import engine, msp_progress
from indicators.models import MspProgressSnapshot
from indicators.tasks import recompute_stale_progress_task
from partnerships import services
from partnerships.models import (
    MembershipState,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import Pledge, PledgeProgressMark
from tests.factories import PledgeFactory
from tests.progress.test_worked_example import ON
from tests.progress.test_worked_example import example as worked_example  # noqa: F401 -- fixture

pytestmark = pytest.mark.django_db


def _member(msp: MultistakeholderPledge, reference: str, state: str) -> None:
    now = timezone.now()
    MultistakeholderMembership.objects.create(
        msp=msp,
        pledge=Pledge.objects.get(reference=reference),
        state=state,
        requested_at=now,
        decided_at=None if state == MembershipState.REQUESTED else now,
    )


@pytest.fixture
def msp(request: pytest.FixtureRequest) -> MultistakeholderPledge:
    request.getfixturevalue("worked_example")  # the worked example's pledges
    msp = MultistakeholderPledge.objects.create(
        slug="example-msp", title="Example", compact=Compact.objects.get(code="GCR")
    )
    _member(msp, "GRF23-00001", MembershipState.ACCEPTED)
    _member(msp, "GRF23-00002", MembershipState.ACCEPTED)
    _member(msp, "GRF19-00001", MembershipState.REQUESTED)
    _member(msp, "GRF23-00004", MembershipState.ACCEPTED)  # withdrawn pledge
    _member(msp, "GRF23-00005", MembershipState.REMOVED)
    engine.recompute_msps([msp.pk], on=ON)
    return msp


def _figures(msp: MultistakeholderPledge, kind: str = "overall", key: str = "") -> dict:
    return MspProgressSnapshot.objects.get(msp=msp, slice_kind=kind, slice_key=key, date=ON).figures


def test_only_accepted_members_that_are_published_count(msp: MultistakeholderPledge) -> None:
    f = _figures(msp)
    assert f["pledges"] == 2  # P1, P2: P3 only asked, P4 is withdrawn, P5 was removed
    assert f["entities"] == 2
    assert f["status"]["in_progress"] == 1
    assert f["status"]["fulfilled"] == 1
    assert f["status"]["no_update"] == 0
    assert f["overdue"] == 0
    assert f["implementation_score"] == "0.7500"  # (0.5 + 1) / 2


def test_money_and_targets_of_the_members(msp: MultistakeholderPledge) -> None:
    f = _figures(msp)
    assert f["money"]["pledged_usd"] == "1300000.00"  # 1,000,000 EUR × 1.10 + 200,000 USD
    assert f["money"]["disbursed_usd"] == "800000.00"  # 500,000 EUR × 1.10 + 250,000
    assert f["money"]["delivery_ratio"] == "0.6154"
    assert f["money"]["unconverted_pledges"] == 0
    assert f["targets"]["places"]["progress"] == "0.6000"  # 60 of 100
    assert f["targets"]["persons"]["progress"] == "1.0000"  # 1,500 capped at 1,000
    assert f["target_progress"] == "0.8000"
    # No indicators: the other components' weights (0.8) are used.
    assert f["composite"]["weights_used"] == "0.8"
    assert f["composite"]["score"] == "0.7288"


def test_slices_of_the_members(msp: MultistakeholderPledge) -> None:
    assert _figures(msp, "forum", "GRF23")["pledges"] == 2
    assert _figures(msp, "region", "global")["pledges"] == 1  # P2


def test_a_changed_member_pledge_marks_its_msp_and_the_sweep_recomputes_it(
    msp: MultistakeholderPledge,
) -> None:
    PledgeProgressMark.objects.create(
        pledge_id=Pledge.objects.get(reference="GRF23-00002").pk, marked_at=timezone.now()
    )
    assert msp_progress.mark_msps_of_changed_pledges() == 1
    Pledge.objects.filter(reference="GRF23-00002").update(review_state="withdrawn")
    assert msp_progress.recompute_stale_msps(on=ON) == 1
    msp.refresh_from_db()
    assert msp.progress_stale_since is None
    assert _figures(msp)["pledges"] == 1
    assert msp_progress.recompute_stale_msps(on=ON) == 0


def test_the_stale_progress_task_recomputes_an_msp_whose_membership_changed(
    reference_data: None, member_a: User, secretariat: User
) -> None:
    msp = MultistakeholderPledge.objects.get(slug="resettlement")
    pledge = PledgeFactory(
        entity=member_a.memberships.get().entity, forum=msp.forum, review_state="published"
    )
    with override_settings(PROGRESS_NUDGE_ENABLED=False):  # the task is run by hand below
        services.link_pledge(msp=msp, pledge=pledge, by=secretariat)
    msp.refresh_from_db()
    assert msp.progress_stale_since is not None  # durable: in the database, not in Redis

    recompute_stale_progress_task.apply()

    msp.refresh_from_db()
    assert msp.progress_stale_since is None
    overall = MspProgressSnapshot.objects.get(msp=msp, slice_kind="overall")
    assert overall.figures["pledges"] == 1
