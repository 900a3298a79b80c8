"""The live API keeps the contract its OpenAPI document states: schemathesis generates requests
from the schema served at `/api/schema/` and checks that no answer is a server error and that every
documented answer matches its documented schema (TOOLCHAIN.md, "API contract testing").

The run is bounded (examples per operation, a time budget and a fixed seed) so that it fits in
`make test`; a failure prints schemathesis' own report, which names the operation, the request
(as a curl command) and what broke.
"""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer
from rest_framework.throttling import SimpleRateThrottle

from compacts.models import Objective
from indicators.models import ProgressSnapshot, SliceKind

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# The whole run, seeding included, must stay well under `make test`'s patience; schemathesis
# stops itself at --max-time, this is only the backstop for a hung server.
TIMEOUT = 150


def _seed_snapshots() -> None:
    """A few progress snapshots (the progress engine that writes them comes later), so that the
    progress resource answers rows with figures rather than only empty pages."""
    computed = timezone.now()
    rows = []
    for objective in Objective.objects.filter(compact__code="GCR"):
        for day in (dt.date(2025, 1, 1), dt.date(2025, 6, 30)):
            rows.append(
                ProgressSnapshot(
                    objective=objective,
                    slice_kind=SliceKind.OVERALL,
                    slice_key="",
                    date=day,
                    figures={"pledges": 10 * objective.number, "usd_pledged": "1500000.00"},
                    computed_at=computed,
                )
            )
            rows.append(
                ProgressSnapshot(
                    objective=objective,
                    slice_kind=SliceKind.FORUM,
                    slice_key="GRF23",
                    date=day,
                    figures={"pledges": objective.number, "usd": {"pledged": None}},
                    computed_at=computed,
                )
            )
    ProgressSnapshot.objects.bulk_create(rows)


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift the anonymous rate limit for the run: at 500 requests an hour, schemathesis' ~1,500
    requests would mostly be answered 429 (documented, and tested in test_indicators_api), and
    the operations behind the throttle would go untested. DRF reads the rates into
    `SimpleRateThrottle.THROTTLE_RATES` at import, so overriding the REST_FRAMEWORK setting would
    not reach it; the live server runs in this process, so patching the class does."""
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "100000/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def demo_api(live_server: LiveServer, unthrottled: None) -> str:
    """The app on a live server with the reference data, a small demo data set and snapshots."""
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--pledges", "60", "--force", verbosity=0)
    _seed_snapshots()
    return live_server.url


def test_live_api_conforms_to_its_schema_when_fuzzed(demo_api: str, tmp_path: Path) -> None:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{demo_api}/api/schema/",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--max-examples",
        "20",
        "--max-time",
        "60",
        "--seed",
        "1",
        "--workers",
        "2",
        "--generation-database",
        "none",
        # Django's single-process live server once dropped a connection mid-run (CI, a PATCH
        # answered 401): retry network-level failures only; any HTTP answer is still checked.
        "--request-retries",
        "2",
        "--no-color",
    ]
    started = time.monotonic()
    result = subprocess.run(  # in tmp_path: whatever schemathesis writes stays out of the tree
        command, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    elapsed = time.monotonic() - started
    print(result.stdout)  # shown with `pytest -s` or `-rP`: what was tested, how long it took

    assert result.returncode == 0, (
        f"schemathesis exited {result.returncode} after {elapsed:.0f} s\n"
        f"{result.stdout}\n{result.stderr}"
    )
