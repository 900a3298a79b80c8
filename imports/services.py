"""Every write of an import: the dry run, the commit, jobs and saved mappings.

An import always runs its rows through the very code that commits them, inside one
transaction: the dry run rolls it back at the end, the commit keeps it only when no row is in
error. So the dry run's report is what the commit will do, and a file with one bad row writes
nothing. New pledges are the exception that makes large files fast: each row is checked with
every rule of their creation, and the commit writes them FLUSH_EVERY rows at a time
(`pledges.services.bulk`); the dry run stops before that write. Rows are streamed from the
file; the report keeps the counts and at most IMPORT_REPORT_ROWS rows of detail, so memory
stays flat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_change

from .entities import EntityRows
from .fields import HeaderMatcher, auto_mapping, fields_of
from .indicator_values import IndicatorValueRows
from .models import CANCELLABLE_STATES, ImportJob, ImportKind, ImportState, SavedMapping
from .pledges import Options, PledgeRows, RowOutcome
from .readers import Table, UnreadableFile, read_table, sheet_names
from .resources import ResourceRows
from .updates import UpdateRows

if TYPE_CHECKING:
    from accounts.models import User

_T = TypeVar("_T")

# The largest upload the page takes: below the shipped nginx's client_max_body_size (10 MB).
# Larger files go through `manage.py import_data`, which has no limit.
MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 9 * 1024 * 1024)
REPORT_ROWS = getattr(settings, "IMPORT_REPORT_ROWS", 1000)
# Files up to this size are checked while the page waits; larger ones by a Celery worker.
INLINE_BYTES = getattr(settings, "IMPORT_INLINE_BYTES", 200 * 1024)
PROGRESS_EVERY = 25
# New pledges are checked row by row and written this many rows at a time (`PledgeRows.flush`).
FLUSH_EVERY = 500
ACTIONS = ("create", "update", "unchanged", "error")


# The row handler of each kind.
ROWS: dict[str, type[PledgeRows]] = {
    ImportKind.PLEDGES: PledgeRows,
    ImportKind.ENTITIES: EntityRows,
    ImportKind.UPDATES: UpdateRows,
    ImportKind.INDICATOR_VALUES: IndicatorValueRows,
    ImportKind.RESOURCES: ResourceRows,
}


class ImportRefused(Exception):
    """The file as a whole cannot be imported (unreadable, no mapping for a required field…);
    the message says why, for the user."""


class Cancelled(Exception):
    """The secretariat cancelled the job while it ran."""


@dataclass
class Report:
    """What an import did or would do: counts per action and the first rows of each."""

    counts: Counter[str] = field(default_factory=Counter)
    rows: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False
    total: int = 0
    headers: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str = ""
    header_row: int = 0
    errors_shown: int = 0

    def add(self, outcome: RowOutcome) -> None:
        self.counts[outcome.action] += 1
        is_error = outcome.action == "error"
        if len(self.rows) < REPORT_ROWS or (is_error and self.errors_shown < REPORT_ROWS):
            self.errors_shown += is_error
            self.rows.append(
                {
                    "row": outcome.number,
                    "external_id": outcome.external_id,
                    "action": outcome.action,
                    "reference": outcome.reference,
                    "changes": outcome.changes,
                    "problems": [
                        {"column": p.column, "value": p.value, "message": p.message}
                        for p in outcome.problems
                    ],
                }
            )

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["action"] == "error"]

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": {action: self.counts.get(action, 0) for action in ACTIONS},
            "rows": self.rows,
            "committed": self.committed,
            "total": self.total,
            "headers": self.headers,
            "columns": self.columns,
            "sheet": self.sheet,
            "header_row": self.header_row,
        }

    def summary(self) -> str:
        counts = self.as_json()["counts"]
        return (
            _(
                "%(create)s to create, %(update)s to update, %(unchanged)s unchanged, "
                "%(error)s in error"
            )
            % counts
        )


# --- reading the file ------------------------------------------------------------------------


def open_table(
    content: bytes,
    *,
    kind: str,
    sheet: str = "",
    header_row: int | None = None,
    columns: Mapping[str, str] | None = None,
) -> Table:
    """The file's table; its header is the first row that names known columns, or (with a
    saved mapping) two of the mapping's columns."""
    matcher: Callable[[list[str]], bool] = HeaderMatcher(kind)
    if columns:
        named = set(columns)
        matcher = lambda cells: len(named & set(cells)) >= min(2, len(named))  # noqa: E731
    try:
        return read_table(content, sheet=sheet, header_row=header_row, looks_like_header=matcher)
    except UnreadableFile as error:
        raise ImportRefused(str(error)) from None


def check_columns(kind: str, headers: list[str], columns: Mapping[str, str]) -> dict[str, str]:
    """The mapping to use: only headers the file has and fields the kind has, each field once;
    ImportRefused naming the required fields no column is mapped to."""
    known = {f.key for f in fields_of(kind)}
    present = set(headers)
    clean: dict[str, str] = {}
    for header, key in columns.items():
        if header in present and key in known and key not in clean.values():
            clean[header] = key
    missing = [str(f.label) for f in fields_of(kind) if f.required and f.key not in clean.values()]
    if missing:
        raise ImportRefused(_("Choose the column of: %(fields)s.") % {"fields": ", ".join(missing)})
    return clean


def _batched(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def count_rows(table: Table) -> int:
    return sum(1 for _row in table.rows())


def run_import(
    *,
    content: bytes,
    kind: str,
    by: User | None,
    reason: str,
    columns: Mapping[str, str] | None = None,
    sheet: str = "",
    header_row: int | None = None,
    create_verified: bool = False,
    publish: bool = True,
    commit: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Report:
    """Run every row of the file through the import in one transaction, which is kept only
    when `commit` is set and no row is in error. Raises ImportRefused for a file that cannot
    be imported at all and Cancelled when `should_stop()` says so (nothing is then written)."""
    table = open_table(content, kind=kind, sheet=sheet, header_row=header_row, columns=columns)
    mapping = check_columns(
        kind, table.headers, columns if columns is not None else auto_mapping(kind, table.headers)
    )
    report = Report(
        total=count_rows(table),
        headers=table.headers,
        columns=mapping,
        sheet=table.sheet,
        header_row=table.header_row,
    )
    wanted = {header for header in mapping}
    positions = [(i, h) for i, h in enumerate(table.headers) if h in wanted]
    try:
        with transaction.atomic():
            rows = ROWS[kind](
                mapping,
                Options(
                    by=by,  # type: ignore[arg-type]
                    reason=reason,
                    create_verified=create_verified,
                    publish=publish,
                    commit=commit,
                ),
            )
            done = 0
            for chunk in _batched(table.rows(), FLUSH_EVERY):
                cells_of_rows = []
                for _number, cells in chunk:
                    by_header: dict[str, Any] = {}
                    for index, header in positions:
                        by_header.setdefault(header, cells[index])
                    cells_of_rows.append(by_header)
                rows.prepare(cells_of_rows)
                for (number, _cells), by_header in zip(chunk, cells_of_rows, strict=True):
                    report.add(rows.outcome(number, by_header))
                    done += 1
                    if done % PROGRESS_EVERY == 0:
                        if on_progress is not None:
                            on_progress(done, report.total)
                        if should_stop is not None and should_stop():
                            raise Cancelled
                rows.flush()
            rows.flush()
            if on_progress is not None:
                on_progress(done, report.total)
            report.committed = commit and not report.counts.get("error")
            if not report.committed:
                transaction.set_rollback(True)
    except UnreadableFile as error:
        raise ImportRefused(str(error)) from None
    return report


# --- jobs (the Import page) ----------------------------------------------------------------


def progress_key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


def job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in all) of a running job: the worker writes them to the cache, since
    its own transaction is not visible until it ends."""
    found = cache.get(progress_key(job.pk))
    if found:
        return int(found[0]), int(found[1])
    return job.done_rows, job.total_rows


@transaction.atomic
def create_job(*, kind: str, filename: str, content: bytes, by: User) -> ImportJob:
    """Store an upload (refused when too large or unreadable) and propose its mapping."""
    if len(content) > MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 2**20}]}
        )
    try:
        sheets = sheet_names(content)
        table = open_table(content, kind=kind)
    except (ImportRefused, UnreadableFile) as error:
        raise ValidationError({"file": [str(error)]}) from None
    job = ImportJob.objects.create(
        kind=kind,
        filename=filename[:255],
        content=content,
        sheet=table.sheet,
        header_row=table.header_row,
        columns=auto_mapping(kind, table.headers),
        created_by=by,
        report={"headers": table.headers, "sheets": sheets},
    )
    record_change(job, action="imports.job.uploaded", by=by, data={"file": job.filename})
    return job


def describe_job(job: ImportJob) -> Table:
    """The job's table as currently configured (sheet, header row)."""
    return open_table(bytes(job.content), kind=job.kind, sheet=job.sheet, header_row=job.header_row)


@transaction.atomic
def configure_job(
    *,
    job: ImportJob,
    sheet: str,
    header_row: int | None,
    columns: Mapping[str, str],
    create_verified: bool,
    publish: bool,
    save_as: str = "",
    by: User,
) -> ImportJob:
    """Set the sheet, header row, mapping and options of a job not yet running or committed."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.state not in {ImportState.UPLOADED, ImportState.CHECKED, ImportState.FAILED}:
        raise ValidationError(_("This import can no longer be changed."))
    try:
        table = open_table(
            bytes(locked.content), kind=locked.kind, sheet=sheet, header_row=header_row
        )
        mapping = check_columns(locked.kind, table.headers, columns)
    except ImportRefused as error:
        raise ValidationError(str(error)) from None
    locked.sheet = table.sheet
    locked.header_row = table.header_row
    locked.columns = mapping
    locked.create_verified = create_verified
    locked.publish = publish
    locked.state = ImportState.UPLOADED
    locked.error = ""
    locked.report = {"headers": table.headers, "sheets": list(table.sheets)}
    locked.save()
    if save_as.strip():
        save_mapping(name=save_as, kind=locked.kind, columns=mapping, by=by)
    return locked


def save_mapping(
    *, name: str, kind: str, columns: Mapping[str, str], by: User | None
) -> SavedMapping:
    """Save (or replace) a mapping by name for the next file of the same shape."""
    mapping, _created = SavedMapping.objects.update_or_create(
        kind=kind,
        name=name.strip()[:100],
        defaults={"columns": dict(columns), "created_by": by},
    )
    return mapping


def _claim(job_id: int, source: set[str], target: str) -> ImportJob | None:
    """Move a job from one of `source` to `target` if it is there (a redelivered task, or two
    presses of the button, run it once)."""
    claimed = ImportJob.objects.filter(pk=job_id, state__in=source).update(state=target)
    return ImportJob.objects.get(pk=job_id) if claimed else None


def _stopper(job_id: int) -> Callable[[], bool]:
    def should_stop() -> bool:
        return ImportJob.objects.filter(pk=job_id, state=ImportState.CANCELLED).exists()

    return should_stop


def _progress(job_id: int) -> Callable[[int, int], None]:
    def on_progress(done: int, total: int) -> None:
        cache.set(progress_key(job_id), (done, total), timeout=24 * 3600)

    return on_progress


def queue_job(job_id: int, *, commit: bool) -> bool:
    """Move a job to its running state before its task is queued (`run_job(queued=True)`
    picks it up there); False when it is not in a state to run."""
    source, target = (
        (ImportState.CHECKED, ImportState.COMMITTING)
        if commit
        else (ImportState.UPLOADED, ImportState.CHECKING)
    )
    return bool(ImportJob.objects.filter(pk=job_id, state=source).update(state=target))


def run_job(job_id: int, *, commit: bool, queued: bool = False) -> ImportJob | None:
    """The dry run (or the commit) of a job: claimed, run, its report stored. None when the
    job was not in a state to run (already done, cancelled). `queued`: `queue_job` already
    moved it to its running state (a task)."""
    running = ImportState.COMMITTING if commit else ImportState.CHECKING
    if queued:
        source = running
    else:
        source = ImportState.CHECKED if commit else ImportState.UPLOADED
    job = _claim(job_id, {source}, running)
    if job is None:
        return None
    by = job.created_by
    try:
        report = run_import(
            content=bytes(job.content),
            kind=job.kind,
            by=by,
            reason=job.audit_reason,
            columns=job.columns,
            sheet=job.sheet,
            header_row=job.header_row,
            create_verified=job.create_verified,
            publish=job.publish,
            commit=commit,
            on_progress=_progress(job_id),
            should_stop=_stopper(job_id),
        )
    except Cancelled:
        return ImportJob.objects.get(pk=job_id)
    except ImportRefused as error:
        ImportJob.objects.filter(pk=job_id).update(state=ImportState.FAILED, error=str(error))
        return ImportJob.objects.get(pk=job_id)
    finally:
        cache.delete(progress_key(job_id))
    data = report.as_json()
    data["sheets"] = job.report.get("sheets", [])
    if commit:
        state = ImportState.COMMITTED if report.committed else ImportState.CHECKED
    else:
        state = ImportState.CHECKED
    # Conditional: a cancel that came in as the run ended wins.
    ImportJob.objects.filter(pk=job_id, state=running).update(
        state=state,
        report=data,
        counts=data["counts"],
        total_rows=report.total,
        done_rows=report.total,
        error=""
        if report.committed or not commit
        else _("Rows are in error: nothing was written."),
    )
    job = ImportJob.objects.get(pk=job_id)
    if job.state == ImportState.COMMITTED:
        record_change(
            job,
            action="imports.job.committed",
            by=by,
            reason=job.audit_reason,
            data={"file": job.filename, "counts": data["counts"]},
        )
    return job


@transaction.atomic
def cancel_job(*, job: ImportJob, by: User) -> bool:
    """Cancel a job before anything was written; False when it is too late."""
    cancelled = ImportJob.objects.filter(pk=job.pk, state__in=CANCELLABLE_STATES).update(
        state=ImportState.CANCELLED
    )
    if cancelled:
        record_change(job, action="imports.job.cancelled", by=by)
    return bool(cancelled)


def runs_in_background(job: ImportJob) -> bool:
    return len(job.content) > INLINE_BYTES and not settings.CELERY_TASK_ALWAYS_EAGER
