"""Writes of data packages: build one from the database, prune the old ones."""

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from core.audit import record_change

from .builder import temporary_folder, write_package
from .models import DataPackage
from .resources import resources, row_counts

FOLDER = "data-packages"
TITLE = "Compact Pledge Tracker: public data"


def build_data_package(*, keep: int | None = None) -> DataPackage:
    """Write every public table to a new package in the default storage, record it, and prune
    the packages beyond the newest `keep` (default `DATA_PACKAGE_KEEP`).

    The tables are read in one read-only REPEATABLE READ transaction: they all show the same
    moment, however long the writing takes. The files are written to a temporary folder first
    (compressed as they are written, so the disk holds only the compressed size) and then copied
    to the storage, which may be a remote one."""
    started = time.monotonic()
    created = timezone.now()
    public_id = uuid.uuid4()
    folder = f"{FOLDER}/{created:%Y%m%dT%H%M%SZ}-{public_id.hex[:8]}"
    with temporary_folder() as tmp:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            with connection.cursor() as cursor:
                if outermost:  # (inside a caller's transaction, e.g. a test, that one's snapshot)
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # JIT compiles each large COPY again, for longer than it saves (the pledge CSV
                # export: 8 s of compiling at 100,000 pledges).
                cursor.execute("SET LOCAL jit = off")
            written = write_package(
                resources(),
                Path(tmp),
                created=created,
                title=TITLE,
                homepage=getattr(settings, "DATA_PACKAGE_HOMEPAGE", ""),
            )
        for item in written:
            with item.path.open("rb") as handle:
                default_storage.save(f"{folder}/{item.name}", File(handle))
    files = [item.record() for item in written]
    with transaction.atomic():
        package = DataPackage.objects.create(
            public_id=public_id,
            created_at=created,
            folder=folder,
            files=files,
            rows=row_counts(files),
            total_bytes=sum(f["bytes"] for f in files),
            seconds=round(time.monotonic() - started, 2),
        )
        record_change(
            package,
            action="datapackages.package.built",
            data={"folder": folder, "rows": package.rows},
        )
    prune_data_packages(keep=settings.DATA_PACKAGE_KEEP if keep is None else keep)
    return package


def prune_data_packages(*, keep: int) -> int:
    """Delete every package but the newest `keep` (at least one is always kept): their files
    from the storage, then their records. Returns how many were deleted."""
    old = list(DataPackage.objects.order_by("-created_at", "-id")[max(keep, 1) :])
    for package in old:
        for item in package.files:
            name = f"{package.folder}/{item['name']}"
            if default_storage.exists(name):
                default_storage.delete(name)
        with transaction.atomic():
            record_change(package, action="datapackages.package.pruned", data={})
            package.delete()
    return len(old)
