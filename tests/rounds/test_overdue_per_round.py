"""The overdue rule read per reporting round (docs/progress.md): an active published pledge of
the round's compact with no approved update for the round is overdue for it, on the reports
page, the overdue list and its CSV."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from compacts.models import Compact
from forums.models import ReportingRound
from pledges.models import Pledge
from pledges.services import UpdateInput, review_update, submit_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(
    publish: Callable[..., Pledge],
    member_a: Any,
    secretariat: Any,
    make_round: Callable[..., ReportingRound],
    frozen_now: dt.datetime,
) -> dict[str, Any]:
    """Round R (open): P1 reported in it (approved), P2 reported in it (pending), P3 reported
    recently but outside the round, P4 is fulfilled, P5 is of the other compact."""
    round_ = make_round()
    pledges = {name: publish(title=name) for name in ("P1", "P2", "P3", "P4")}
    pledges["P5"] = publish(title="P5", compact_code="GCM")

    def report(pledge: Pledge, *, status: str = "in_progress", in_round: bool = True) -> Any:
        data = UpdateInput(
            status=status,
            narrative=f"News of {pledge.title}",
            reported_on=dt.date(2026, 11, 10),
            round=round_ if in_round else None,
        )
        return submit_update(pledge=pledge, data=data, by=member_a)

    review_update(update=report(pledges["P1"]), action="approve", by=secretariat)
    report(pledges["P2"])
    review_update(update=report(pledges["P3"], in_round=False), action="approve", by=secretariat)
    review_update(
        update=report(pledges["P4"], status="fulfilled", in_round=False),
        action="approve",
        by=secretariat,
    )
    return {"round": round_, **pledges}


def test_overdue_in_a_round_means_no_approved_update_for_it(scene: dict[str, Any]) -> None:
    late = Pledge.objects.overdue_in_round(scene["round"])

    assert sorted(p.title for p in late) == ["P2", "P3"]
    # The cycle rule, for comparison: nobody is late, every pledge reported recently.
    assert not Pledge.objects.overdue(on=dt.date(2026, 11, 19)).filter(compact__code="GCR")


def test_the_reports_read_per_round(
    scene: dict[str, Any], secretariat: Any, client: Client
) -> None:
    client.force_login(secretariat)
    query = {"compact": "GCR", "round": scene["round"].pk}

    overdue = client.get("/reports/overdue/", query).content.decode()
    csv_text = b"".join(client.get("/reports/overdue.csv", query).streaming_content).decode()
    report = client.get("/reports/", query).content.decode()
    plain = client.get("/reports/overdue/", {"compact": "GCR"}).content.decode()

    # Titles as the list shows them: a bare "P3" can turn up inside the page's random CSRF token.
    def listed(title: str, page: str) -> bool:
        return f'<span class="title">{title}</span>' in page

    for title in ("P2", "P3"):
        assert listed(title, overdue)
        assert f",{title}," in csv_text
    assert not listed("P1", overdue)
    assert not listed("P4", overdue)
    assert ",P1," not in csv_text
    assert ",P4," not in csv_text
    assert "Reporting round: GCR reporting round 2026" in report
    assert not listed("P3", plain)


def test_a_round_of_the_other_compact_is_refused_on_its_field(
    scene: dict[str, Any], secretariat: Any, client: Client
) -> None:
    gcm_round = ReportingRound.objects.create(
        compact=Compact.objects.get(code="GCM"),
        title="GCM round",
        opens_on=dt.date(2026, 11, 1),
        closes_on=dt.date(2026, 12, 1),
    )
    client.force_login(secretariat)

    response = client.get("/reports/overdue/", {"compact": "GCR", "round": gcm_round.pk})

    assert response.status_code == 400
    assert "This reporting round is not one of the chosen compact." in response.content.decode()


def test_the_dashboard_reads_a_round(scene: dict[str, Any], client: Client) -> None:
    response = client.get("/dashboard/", {"compact": "GCR", "round": scene["round"].pk})
    page = response.content.decode()
    other = client.get("/dashboard/", {"compact": "GCM", "round": scene["round"].pk})

    assert response.status_code == 200
    assert "Reporting round: GCR reporting round 2026" in page
    # Four GCR pledges asked, P1 reported (approved), P2 and P3 overdue.
    assert "<dd>4</dd>" in page
    assert "<dd>1 (25.0 %)</dd>" in page
    assert "<dd>2</dd>" in page
    assert "This reporting round is not one of the chosen compact." in other.content.decode()
