"""Keeping the figures of multistakeholder pledges (MSPs) current, beside the objectives'.

An MSP's figures move when a membership is accepted or ends (the partnership services mark the
MSP stale in that transaction) and when one of its member pledges changes (the pledge services
mark the pledge: `pledges.PledgeProgressMark`). The stale-progress task first turns the marked
pledges into marks on their MSPs — before the objectives' run consumes the pledge marks — and
after it recomputes every marked MSP; the nightly full run recomputes them all. A mark is
cleared only if nobody moved it meanwhile, as for objectives.
"""

import datetime as dt

from django.db.models import Subquery
from django.utils import timezone

from partnerships.models import MembershipState, MultistakeholderMembership, MultistakeholderPledge
from pledges.models import PledgeProgressMark

from . import engine


def mark_msps_of_changed_pledges() -> int:
    """Mark stale the MSPs whose accepted members are marked as changed; how many were."""
    members = MultistakeholderMembership.objects.filter(
        state=MembershipState.ACCEPTED,
        pledge_id__in=Subquery(PledgeProgressMark.objects.values("pledge_id")),
    ).values("msp_id")
    return MultistakeholderPledge.objects.filter(pk__in=Subquery(members)).update(
        progress_stale_since=timezone.now()
    )


def recompute_stale_msps(*, on: dt.date | None = None) -> int:
    """Recompute the MSPs marked stale; returns how many were recomputed."""
    seen = dict(
        MultistakeholderPledge.objects.filter(progress_stale_since__isnull=False).values_list(
            "pk", "progress_stale_since"
        )
    )
    if not seen:
        return 0
    engine.recompute_msps(sorted(seen), on=on)
    for msp_id, marked in seen.items():
        MultistakeholderPledge.objects.filter(pk=msp_id, progress_stale_since=marked).update(
            progress_stale_since=None
        )
    return len(seen)


def recompute_all_msps(*, on: dt.date | None = None) -> int:
    """Recompute every MSP (the nightly run, "Recompute now", `recompute_progress`)."""
    seen = dict(MultistakeholderPledge.objects.values_list("pk", "progress_stale_since"))
    engine.recompute_msps(sorted(seen), on=on)
    for msp_id, marked in seen.items():
        if marked is not None:
            MultistakeholderPledge.objects.filter(pk=msp_id, progress_stale_since=marked).update(
                progress_stale_since=None
            )
    return len(seen)
