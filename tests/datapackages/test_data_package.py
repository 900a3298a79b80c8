"""The nightly bulk data package: a valid Frictionless Data Package of public rows only, listed
on the Data page and at /api/v1/bulk/ with sizes and SHA-256s that match the downloads."""

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from frictionless import Package

from datapackages.models import DataPackage
from datapackages.services import build_data_package
from indicators import composite
from indicators.models import ProgressSnapshot, SliceKind
from pledges.models import ParticipantStatus, PledgeParticipant, ReviewState, UpdateReviewState
from tests.factories import (
    EntityFactory,
    IndicatorValueFactory,
    PledgeFactory,
    PledgeTargetFactory,
    PledgeUpdateFactory,
)

pytestmark = pytest.mark.django_db

# Text that CSV must quote and JSON escape; PostgreSQL writes both files.
TRICKY_TEXT = 'A "quoted", back\\slash, tab\there,\r\nnew line, \u2028 and é 中文'


@pytest.fixture
def storage(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def package(storage: Path) -> DataPackage:
    published = PledgeFactory(
        review_state=ReviewState.PUBLISHED,
        title='=HYPERLINK("http://evil")',
        description=TRICKY_TEXT,
        reference="GRF23-00001",
    )
    draft = PledgeFactory(review_state=ReviewState.DRAFT, title="Secret draft")
    PledgeTargetFactory(pledge=published)
    PledgeTargetFactory(pledge=draft)
    # Once published, now off the public record: none of its rows may be in any table.
    for state in (ReviewState.SUSPENDED, ReviewState.WITHDRAWN):
        gone = PledgeFactory(
            review_state=state,
            reference=f"GRF23-0{9 if state == ReviewState.SUSPENDED else 8}999",
            published_at=dt.datetime(2024, 1, 15, tzinfo=dt.UTC),
        )
        PledgeTargetFactory(pledge=gone)
        PledgeUpdateFactory(pledge=gone, review_state=UpdateReviewState.APPROVED)
        PledgeParticipant.objects.create(
            pledge=gone, entity=EntityFactory(), status=ParticipantStatus.ACCEPTED
        )
    PledgeUpdateFactory(pledge=published, review_state=UpdateReviewState.APPROVED)
    PledgeUpdateFactory(pledge=published, review_state=UpdateReviewState.PENDING)
    partner = EntityFactory(name="Accepted partner")
    PledgeParticipant.objects.create(
        pledge=published, entity=partner, status=ParticipantStatus.ACCEPTED
    )
    PledgeParticipant.objects.create(
        pledge=published,
        entity=EntityFactory(name="Hidden invitee"),
        status=ParticipantStatus.INVITED,
    )
    EntityFactory(name="Unverified claim", is_verified=False)
    IndicatorValueFactory()
    ProgressSnapshot.objects.create(
        objective=published.objectives.get(),
        slice_kind=SliceKind.OVERALL,
        slice_key="",
        date=dt.date(2025, 6, 30),
        figures={"pledges": 1, "composite": {"score": "0.5000"}},
        computed_at=timezone.now(),
    )
    return build_data_package()


def _read(storage: Path, package: DataPackage, name: str) -> bytes:
    return (storage / package.folder / name).read_bytes()


def test_package_is_valid_and_holds_only_public_rows(storage: Path, package: DataPackage) -> None:
    folder = storage / package.folder
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])

    assert package.rows == {
        "pledges": 1,
        "participants": 1,
        "pledge_objectives": 1,
        "targets": 1,
        "updates": 1,
        # Every verified entity (of the draft, the invitee, the removed pledges too), not the
        # unverified one.
        "entities": 8,
        "indicator_values": 1,
        "progress_snapshots": 1,
    }
    csv_text = gzip.decompress(_read(storage, package, "pledges.csv.gz")).decode("utf-8")
    assert csv_text.startswith("\ufeffreference,")
    assert "'=HYPERLINK" in csv_text  # neutralised for spreadsheets
    assert "Secret draft" not in csv_text
    lines = gzip.decompress(_read(storage, package, "pledges.jsonl.gz")).splitlines()
    first = json.loads(lines[0])
    assert first["title"] == '=HYPERLINK("http://evil")'  # JSON keeps it as is
    assert first["description"] == TRICKY_TEXT
    assert first["published_at"] == "2024-01-15T00:00:00Z"
    assert next(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))["description"] == (
        TRICKY_TEXT
    )
    figures = json.loads(gzip.decompress(_read(storage, package, "progress_snapshots.jsonl.gz")))
    assert figures["figures"]["composite"]["official"] is False  # labelled as the tracker's
    participants = gzip.decompress(_read(storage, package, "participants.csv.gz"))
    assert b"Accepted partner" in participants
    assert b"Hidden invitee" not in participants
    everything = b"".join(
        gzip.decompress(_read(storage, package, f["name"]))
        for f in package.files
        if f["name"].endswith(".gz")
    )
    assert b"Unverified claim" not in everything
    assert b"Secret draft" not in everything
    assert b"GRF23-09999" not in everything  # suspended
    assert b"GRF23-08999" not in everything  # withdrawn


def test_api_and_page_list_the_package_with_checksums_that_match(
    storage: Path, package: DataPackage, client: Client
) -> None:
    answer = client.get("/api/v1/bulk/", HTTP_ORIGIN="https://dashboard.example")
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == "*"
    listed = answer.json()["results"][0]
    assert listed["id"] == str(package.public_id)
    assert listed["rows"]["pledges"] == 1
    targets = next(f for f in listed["files"] if f["name"] == "targets.csv.gz")
    download = client.get(targets["url"])
    body = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/gzip"
    assert hashlib.sha256(body).hexdigest() == targets["sha256"]
    assert len(body) == targets["bytes"]
    assert client.get(f"/data/{package.public_id}/../../settings.py").status_code == 404

    page = client.get("/data/")
    assert page.status_code == 200
    assert targets["sha256"] in page.content.decode()


def test_command_writes_a_package_and_old_ones_are_pruned(
    storage: Path, package: DataPackage, settings: Any
) -> None:
    settings.DATA_PACKAGE_KEEP = 1
    call_command("build_data_package", stdout=io.StringIO())
    kept = DataPackage.objects.get()
    assert kept.pk != package.pk
    assert not (storage / package.folder / "pledges.csv.gz").exists()
    assert (storage / kept.folder / "pledges.csv.gz").exists()


def test_the_nightly_job_is_scheduled() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["build-data-package-nightly"]
    assert entry["task"] == "datapackages.build_data_package"


@pytest.mark.parametrize("shown", [True, False])
def test_snapshot_figures_written_in_sql_follow_the_composite_rule(
    settings: Any, shown: bool
) -> None:
    """The package's SQL form of `public_figures` agrees with it, composite shown or not."""
    settings.TRACKER_COMPOSITE_SCORE = shown
    sql, params = composite.public_figures_sql("v.f")
    for figures in ({"pledges": 3, "composite": {"score": "0.5000"}}, {"pledges": 3}):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ({sql})::text FROM (SELECT %s::jsonb AS f) v",  # noqa: S608 -- our own SQL
                [*params, json.dumps(figures)],
            )
            (written,) = cursor.fetchone()
        assert json.loads(written) == composite.public_figures(figures, composite.definition_url())
