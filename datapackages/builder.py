"""The public dataset as a Frictionless Data Package (https://datapackage.org): a
`datapackage.json` describing each resource with a table schema, and each resource as a gzipped
CSV (UTF-8 with a byte-order mark, formula-like text neutralised as in every export of ours:
core/spreadsheets.py) and a gzipped JSON Lines file (values as they are).

Memory stays flat whatever the size: every resource is read with a server-side cursor in chunks
(pledges through the API export's own reader, `PledgeReader.export_rows`, with the export's
columns) and written straight to compressed temporary files, which then go to the default
storage. All resources are read in one REPEATABLE READ transaction, so they agree with each
other (a pledge in `pledges.csv` has its targets in `targets.csv`).

Only public data: published pledges; accepted co-pledgers of verified entities; approved
updates of published pledges; verified entities; indicator values and progress snapshots (public
reference and computed figures, the composite only where the deployment publishes it).
"""

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import connection
from django.db.models import QuerySet

from core.api.exports import CHUNK
from core.spreadsheets import safe_row

Row = Sequence[Any]


@dataclass(frozen=True)
class Field:
    """A column: its name, Frictionless type (string, integer, number, date, datetime, boolean,
    object) and description."""

    name: str
    type: str = "string"
    description: str = ""


@dataclass(frozen=True)
class Resource:
    """One table of the package: its columns and where its rows come from (tuples in column
    order, read in chunks)."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[], Iterator[Row]]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[dict[str, Any], ...] = field(default=())

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [
                {
                    "name": f.name,
                    "type": f.type,
                    **({"description": f.description} if f.description else {}),
                }
                for f in self.fields
            ]
        }
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = list(self.foreign_keys)
        return schema


def sql_rows(sql: str, params: Sequence[Any] = ()) -> Callable[[], Iterator[Row]]:
    """Rows of `sql` read through a server-side cursor, CHUNK at a time."""

    def rows() -> Iterator[Row]:
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(CHUNK):
                yield from chunk

    return rows


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    """A CSV cell: ISO dates and times, decimals as written, JSON for objects; None empty."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return value


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # JSON numbers: exact as text, read as numbers by every JSON parser.
        return json.loads(str(value)) if value.is_finite() else None
    return value


@dataclass
class WrittenFile:
    name: str
    resource: str
    format: str
    path: Path
    rows: int = 0
    bytes: int = 0
    sha256: str = ""

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "resource": self.resource,
            "format": self.format,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "rows": self.rows,
        }


def _digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _gzip_text(path: Path) -> IO[str]:
    # mtime=0: the same rows give the same bytes (and the same SHA-256) whenever written.
    raw = gzip.GzipFile(filename="", mode="wb", fileobj=path.open("wb"), mtime=0)
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def write_resource(resource: Resource, folder: Path) -> tuple[WrittenFile, WrittenFile]:
    """Write the resource's CSV and JSON Lines files in one pass over its rows."""
    names = [f.name for f in resource.fields]
    csv_file = WrittenFile(f"{resource.name}.csv.gz", resource.name, "csv", folder)
    jsonl_file = WrittenFile(f"{resource.name}.jsonl.gz", resource.name, "jsonl", folder)
    csv_file.path = folder / csv_file.name
    jsonl_file.path = folder / jsonl_file.name
    count = 0
    with _gzip_text(csv_file.path) as csv_out, _gzip_text(jsonl_file.path) as jsonl_out:
        csv_out.write("\ufeff")  # the BOM: spreadsheets then read the file as UTF-8
        writer = csv.writer(csv_out, lineterminator="\r\n")
        writer.writerow(names)
        lines: list[str] = []
        for row in resource.rows():
            writer.writerow(safe_row([_text(v) for v in row]))
            lines.append(
                json.dumps(
                    {n: _json(v) for n, v in zip(names, row, strict=True)},
                    ensure_ascii=False,
                    default=str,
                )
            )
            count += 1
            if len(lines) >= CHUNK:
                jsonl_out.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            jsonl_out.write("\n".join(lines) + "\n")
    for written in (csv_file, jsonl_file):
        written.rows = count
        written.bytes, written.sha256 = _digest(written.path)
    return csv_file, jsonl_file


def descriptor(
    resources: Sequence[Resource],
    files: Sequence[WrittenFile],
    *,
    created: dt.datetime,
    title: str,
    homepage: str = "",
) -> dict[str, Any]:
    """The `datapackage.json`: one resource per file (CSV and JSON Lines of each table share its
    table schema), with its size and SHA-256."""
    by_name = {r.name: r for r in resources}
    entries = []
    for written in files:
        resource = by_name[written.resource]
        entry: dict[str, Any] = {
            "name": f"{resource.name}-{written.format}",
            "title": resource.title,
            "description": resource.description,
            "path": written.name,
            "format": written.format,
            "compression": "gz",
            "mediatype": "text/csv" if written.format == "csv" else "application/jsonl",
            "encoding": "utf-8-sig" if written.format == "csv" else "utf-8",
            "bytes": written.bytes,
            "hash": f"sha256:{written.sha256}",
            "schema": resource.schema(),
        }
        if written.format == "csv":
            entry["dialect"] = {"csv": {"delimiter": ",", "lineTerminator": "\r\n"}}
        entries.append(entry)
    package: dict[str, Any] = {
        "name": "compact-pledge-tracker",
        "title": title,
        "created": created.isoformat(),
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "resources": entries,
    }
    if homepage:
        package["homepage"] = homepage
    return package


def write_package(
    resources: Sequence[Resource],
    folder: Path,
    *,
    created: dt.datetime,
    title: str,
    homepage: str = "",
) -> list[WrittenFile]:
    """Every resource's files and the descriptor, in `folder`; the descriptor last."""
    files: list[WrittenFile] = []
    for resource in resources:
        files.extend(write_resource(resource, folder))
    path = folder / "datapackage.json"
    path.write_text(
        json.dumps(
            descriptor(resources, files, created=created, title=title, homepage=homepage),
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    written = WrittenFile("datapackage.json", "", "json", path)
    written.bytes, written.sha256 = _digest(path)
    return [written, *files]


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="datapackage-")


def ids_of(queryset: QuerySet[Any]) -> Any:
    """A queryset's SQL and parameters, for use as a subquery of a raw statement."""
    return queryset.values("pk").query.sql_with_params()
