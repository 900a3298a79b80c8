"""A large file is checked and imported by a real Celery worker while the page shows its
progress; a run cancelled part-way writes nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from imports import services
from imports.models import ImportJob, ImportState
from pledges.models import Pledge
from tests.indicators.conftest import (  # the worker fixtures, shared
    queued_task_names,
    redis_client,  # noqa: F401 — a fixture
    start_worker,  # noqa: F401 — a fixture
    task_queue,  # noqa: F401 — a fixture
    wait_until,
    worker_log,  # noqa: F401 — a fixture
)

HEADER = "External id,Compact,Forum,Title,Description,Entity,Objectives,Countries\r\n"


def many_rows(count: int) -> bytes:
    rows = [
        f"W-{n},GCR,GRF23,Pledge {n},Places for refugees,Government of Kenya,GCR 3,Kenya\r\n"
        for n in range(count)
    ]
    return (HEADER + "".join(rows)).encode()


@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_then_imports_the_file_when_it_is_too_large_for_the_page(
    start_worker: Callable[[], int],  # noqa: F811
    worker_log: Callable[[], str],  # noqa: F811
    task_queue: str,  # noqa: F811
    redis_client: Any,  # noqa: F811
    client: Client,
    secretariat: Any,
    known_entities: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "INLINE_BYTES", 0)
    client.force_login(secretariat)
    client.post(
        reverse("imports:list"),
        {"kind": "pledges", "file": _file("big.csv", many_rows(60))},
    )
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:detail", args=[job.public_id]))
    data = {
        f"column_{i}": job.columns.get(h, "") for i, h in enumerate(page.context["form"].headers)
    }
    data["publish"] = "on"

    running = client.post(reverse("imports:detail", args=[job.public_id]), data, follow=True)

    assert "Dry run running" in running.content.decode()
    assert queued_task_names(redis_client, task_queue) == ["imports.check_import"]
    start_worker()
    wait_until(
        lambda: ImportJob.objects.get().state == ImportState.CHECKED,
        seconds=60,
        message=f"the dry run never finished; worker log:\n{worker_log()}",
    )
    assert ImportJob.objects.get().counts["create"] == 60
    assert Pledge.objects.count() == 0

    client.post(reverse("imports:commit", args=[job.public_id]))
    wait_until(
        lambda: ImportJob.objects.get().state == ImportState.COMMITTED,
        seconds=60,
        message=f"the import never finished; worker log:\n{worker_log()}",
    )
    assert Pledge.objects.filter(external_id__startswith="W-").count() == 60
    progress = client.get(  # as the page's htmx poll asks for it
        reverse("imports:progress", args=[job.public_id]), headers={"HX-Request": "true"}
    )
    assert progress.headers["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_nothing_is_written_when_the_run_is_cancelled_part_way(secretariat, known_entities):
    with pytest.raises(services.Cancelled):
        services.run_import(
            content=many_rows(60),
            kind="pledges",
            by=secretariat,
            reason="x",
            commit=True,
            should_stop=lambda: True,
        )

    assert Pledge.objects.count() == 0


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, "text/csv")
