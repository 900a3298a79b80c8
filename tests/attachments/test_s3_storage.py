"""Attachments in an S3-compatible object store: the settings' S3 storage (from environment
variables) against moto's server on loopback, through the same service and download view."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from attachments import services
from attachments.models import Attachment
from config.settings.base import attachment_storage
from pledges.models import Pledge

from . import files
from .conftest import S3_CREDENTIALS, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_settings(
    settings: Any, monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, s3_bucket: Any
) -> Any:
    """STORAGES["attachments"] as base.py builds it when the S3 variables are set."""
    for name, value in {
        "S3_BUCKET": s3_bucket.name,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": S3_CREDENTIALS["aws_access_key_id"],
        "S3_SECRET_ACCESS_KEY": S3_CREDENTIALS["aws_secret_access_key"],
        "S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "attachments": attachment_storage(Path("/unused"))}
    return s3_bucket


def _keys(bucket: Any) -> list[str]:
    return [item.key for item in bucket.objects.all()]


def test_file_goes_to_the_bucket_and_comes_back_through_the_app_when_s3_is_configured(
    pledges: dict[str, Pledge],
    secretariat: User,
    s3_settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    file = upload(files.PNG, "school.png")
    added = services.add_attachment(
        pledge=pledges["published"], file=file, name=file.name, size=file.size, by=secretariat
    )

    assert _keys(s3_settings) == [f"attachments/{added.file.name}"]
    response = Client().get(reverse("attachment-download", args=[added.public_id]))
    assert b"".join(response.streaming_content) == files.PNG
    assert response["Content-Disposition"].startswith("attachment;")

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(attachment=added, by=secretariat)
    assert _keys(s3_settings) == []


def test_no_object_is_left_in_the_bucket_when_the_transaction_fails_midway(
    pledges: dict[str, Pledge],
    member_a: User,
    s3_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "record_change", fail)
    file = upload(files.PDF, "agreement.pdf")

    with pytest.raises(RuntimeError):
        services.add_attachment(
            pledge=pledges["draft"], file=file, name=file.name, size=file.size, by=member_a
        )

    assert not Attachment.objects.exists()
    assert _keys(s3_settings) == []
