"""Load the follow-up documents (`followup_documents.json`) for `load_reference_data`.

A row names its compacts and forums by code and its objectives as numbers within its compacts
(one compact) or "all" (every objective of its compacts). Its `source` must be an address
(https://…), optionally followed by what it shows. Links are sets: given to new rows, and on
existing rows reset only with `update`; without it, a document whose links the secretariat
changed is counted as kept.
"""

from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Value

from compacts.models import Compact, Objective
from followup.models import FollowUpDocument
from forums.models import Forum

from .reference import WHERE, Row, TableSummary, _read_json, _report, sync_rows

FILE = "followup_documents.json"
LINKS = ("forums", "compacts", "objectives")


def load_followup_documents(*, update: bool = False) -> TableSummary:
    """The follow-up documents the project ships, keyed on their slug."""
    compact_ids = dict(Compact.objects.values_list("code", "id"))
    forum_ids = dict(Forum.objects.values_list("code", "id"))
    objective_ids = {
        (compact_id, number): pk
        for compact_id, number, pk in Objective.objects.values_list("compact_id", "number", "pk")
    }
    rows = _read_json(FILE)
    wanted: dict[str, dict[str, set[int]]] = {}
    for row in rows:
        wanted[str(row.get("slug"))] = _links(row, compact_ids, forum_ids, objective_ids)
        source = str(row.get("source", ""))
        if not source.startswith("https://"):
            _report(f"{row[WHERE]}: source: name the address where the document was checked")
        row["is_reference"] = True
    summary = sync_rows(FollowUpDocument, rows, key=("slug",), update=update)

    for slug, current in _current_links(wanted).items():
        links = wanted[slug]
        if current == links:
            continue
        row_key = (slug,)
        if row_key in summary.created_keys or update:
            document = FollowUpDocument.objects.get(slug=slug)
            for name in LINKS:
                getattr(document, name).set(links[name])
        # A row whose columns matched still differs by its links.
        if row_key in summary.created_keys | summary.updated_keys | summary.kept_keys:
            continue
        if update:
            summary.unchanged -= 1
            summary.updated += 1
            summary.updated_keys.add(row_key)
        else:
            summary.kept += 1
            summary.kept_keys.add(row_key)
    return summary


def _current_links(wanted: dict[str, Any]) -> dict[str, dict[str, set[int]]]:
    """The stored links of the shipped documents, in one query (a reload runs on every start)."""
    aggregates = {f"{name}_ids": ArrayAgg(name, distinct=True, default=Value([])) for name in LINKS}
    found: Any = FollowUpDocument.objects.filter(slug__in=wanted).values("slug", **aggregates)
    return {
        row["slug"]: {name: {pk for pk in row[f"{name}_ids"] if pk is not None} for name in LINKS}
        for row in found
    }


def _links(
    row: Row,
    compact_ids: dict[str, int],
    forum_ids: dict[str, int],
    objective_ids: dict[tuple[int, int], int],
) -> dict[str, set[int]]:
    """Pop the row's compacts, forums and objectives and return them as ids, reporting each
    unknown code or number."""
    where = row[WHERE]
    compacts = set()
    for code in row.pop("compacts", []):
        if code in compact_ids:
            compacts.add(compact_ids[code])
        else:
            _report(f"{where}: compacts: no compact {code!r}")
    forums = set()
    for code in row.pop("forums", []):
        if code in forum_ids:
            forums.add(forum_ids[code])
        else:
            _report(f"{where}: forums: no forum {code!r}")
    numbers: Any = row.pop("objectives", [])
    objectives = set()
    if numbers == "all":
        objectives = {pk for (compact, _n), pk in objective_ids.items() if compact in compacts}
    elif len(compacts) != 1 and numbers:
        _report(f'{where}: objectives: numbers need exactly one compact, or say "all"')
    else:
        for number in numbers:
            key = (next(iter(compacts)), number)
            if key in objective_ids:
                objectives.add(objective_ids[key])
            else:
                _report(f"{where}: objectives: no objective {number!r}")
    return {"forums": forums, "compacts": compacts, "objectives": objectives}
