"""The tables of the public data package: what each holds and the one statement that reads it.

Every statement selects public rows only, by the same rules as the public pages and the API's
anonymous reads (`docs/security.md`): published pledges; accepted co-pledgers of verified
entities; approved updates of published pledges by verified entities (compiled from
`PledgeUpdate.objects.public()`, the rule's one home); verified entities. Pledges are read by the
API's own export reader, so the package's `pledges` table has the columns of
`/api/v1/pledges/?format=csv`.
"""

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from indicators import composite
from pledges.api.reading import PledgeReader
from pledges.api.shape import EXPORT_COLUMNS
from pledges.models import Pledge, PledgeUpdate

from .builder import Field, Resource, Row, sql_rows

# The API export's pledge columns and their types (the rest are text).
PLEDGE_TYPES = {
    "amount": "number",
    "start_date": "date",
    "end_date": "date",
    "announced_on": "date",
    "last_update_on": "date",
    "published_at": "datetime",
    "updated_at": "datetime",
}


def _published_pledges() -> QuerySet[Pledge]:
    return Pledge.objects.visible_to(None).order_by("id")


def _update_rows() -> tuple[str, tuple[Any, ...]]:
    """The statement of the `updates` table: the rows of `PledgeUpdate.objects.public()`, the
    one rule of which updates anybody may see."""
    text = TextField()
    rows = (
        PledgeUpdate.objects.public()
        .order_by("id")
        .values_list(
            Cast("public_id", text),
            "pledge__reference",
            Cast("entity__public_id", text),
            "round__title",
            "status",
            "narrative",
            "challenges",
            "disbursed_amount",
            "reported_on",
            "reviewed_at",
        )
    )
    return rows.query.sql_with_params()


def _pledge_rows() -> Iterator[Row]:
    reader = PledgeReader({})  # no request: the anonymous caller, links relative to the site
    for row in reader.export_rows(_published_pledges()):
        yield tuple(row[name] for name in EXPORT_COLUMNS)


def _snapshot_rows() -> Iterator[Row]:
    definition = composite.definition_url()
    for row in sql_rows(
        "SELECT s.id, c.code, o.number, s.slice_kind, s.slice_key, s.date, s.computed_at, "
        "s.figures FROM indicators_progresssnapshot s "
        "JOIN compacts_objective o ON o.id = s.objective_id "
        "JOIN compacts_compact c ON c.id = o.compact_id ORDER BY s.id"
    )():
        figures = json.loads(row[7]) if isinstance(row[7], str) else row[7]
        yield (*row[:7], composite.public_figures(figures, definition))


def resources() -> list[Resource]:
    """The package's tables, in the order they are written."""
    return [
        Resource(
            "pledges",
            "Pledges",
            "Every published pledge, with the columns of the API's CSV export.",
            tuple(Field(name, PLEDGE_TYPES.get(name, "string")) for name in EXPORT_COLUMNS),
            _pledge_rows,
            primary_key=("reference",),
        ),
        Resource(
            "participants",
            "Co-pledgers",
            "The entities that pledge jointly with a pledge's entity (accepted, verified).",
            (
                Field("pledge", description="The pledge's reference."),
                Field("entity_id", description="The entity's public id."),
                Field("entity"),
                Field("role"),
                Field("responded_at", "datetime"),
            ),
            sql_rows(
                "SELECT p.reference, e.public_id::text, e.name, pp.role, pp.responded_at "
                "FROM pledges_pledgeparticipant pp JOIN pledges_pledge p ON p.id = pp.pledge_id "
                "JOIN pledges_entity e ON e.id = pp.entity_id "
                "WHERE p.review_state = 'published' AND pp.status = 'accepted' AND e.is_verified "
                "ORDER BY p.id, e.name, e.id"
            ),
        ),
        Resource(
            "pledge_objectives",
            "Objectives of pledges",
            "Which objectives of its compact each pledge serves.",
            (
                Field("pledge", description="The pledge's reference."),
                Field("compact"),
                Field("objective", "integer", "The objective's number in its compact."),
            ),
            sql_rows(
                "SELECT p.reference, c.code, o.number FROM pledges_pledge_objectives po "
                "JOIN pledges_pledge p ON p.id = po.pledge_id "
                "JOIN compacts_objective o ON o.id = po.objective_id "
                "JOIN compacts_compact c ON c.id = o.compact_id "
                "WHERE p.review_state = 'published' ORDER BY p.id, o.number"
            ),
        ),
        Resource(
            "targets",
            "Targets",
            "The quantified targets of pledges.",
            (
                Field("id", "integer"),
                Field("pledge", description="The pledge's reference."),
                Field("metric"),
                Field("unit"),
                Field("baseline", "number"),
                Field("target_value", "number"),
                Field("due_date", "date"),
            ),
            sql_rows(
                "SELECT t.id, p.reference, t.metric, t.unit, t.baseline, t.target_value, "
                "t.due_date FROM pledges_pledgetarget t "
                "JOIN pledges_pledge p ON p.id = t.pledge_id "
                "WHERE p.review_state = 'published' ORDER BY t.id"
            ),
            primary_key=("id",),
        ),
        Resource(
            "updates",
            "Progress updates",
            "The approved progress reports on published pledges.",
            (
                Field("id", description="The update's public id."),
                Field("pledge", description="The pledge's reference."),
                Field("entity_id", description="The reporting entity's public id."),
                Field("reporting_round"),
                Field("status"),
                Field("narrative"),
                Field("challenges"),
                Field("disbursed_amount", "number"),
                Field("reported_on", "date"),
                Field("approved_at", "datetime"),
            ),
            sql_rows(*_update_rows()),
            primary_key=("id",),
        ),
        Resource(
            "entities",
            "Entities",
            "The verified entities (States, organisations) that pledge.",
            (
                Field("id", description="The entity's public id."),
                Field("name"),
                Field("acronym"),
                Field("entity_type"),
                Field("country", description="ISO 3166-1 alpha-2 code."),
                Field("website"),
                Field("verified_at", "datetime"),
            ),
            sql_rows(
                "SELECT e.public_id::text, e.name, e.acronym, t.code, e.country_id, e.website, "
                "e.verified_at FROM pledges_entity e "
                "JOIN pledges_entitytype t ON t.id = e.entity_type_id "
                "WHERE e.is_verified ORDER BY e.id"
            ),
            primary_key=("id",),
        ),
        Resource(
            "indicator_values",
            "Indicator values",
            "Observed values of the compacts' indicators per country (empty: global) and year.",
            (
                Field("id", "integer"),
                Field("compact"),
                Field("framework"),
                Field("indicator"),
                Field("country", description="ISO 3166-1 alpha-2 code; empty for global."),
                Field("year", "integer"),
                Field("value", "number"),
                Field("numerator", "number"),
                Field("denominator", "number"),
                Field("report"),
                Field("source"),
            ),
            sql_rows(
                "SELECT v.id, c.code, f.slug, i.code, v.country_id, v.year, v.value, "
                "v.numerator, v.denominator, r.title, v.source FROM indicators_indicatorvalue v "
                "JOIN indicators_indicator i ON i.id = v.indicator_id "
                "JOIN compacts_compact c ON c.id = i.compact_id "
                "LEFT JOIN indicators_frameworkedition f ON f.id = i.edition_id "
                "LEFT JOIN indicators_reportedition r ON r.id = v.report_id ORDER BY v.id"
            ),
            primary_key=("id",),
        ),
        Resource(
            "progress_snapshots",
            "Progress snapshots",
            "The progress figures the tracker computed per objective, slice and day (not "
            "official figures).",
            (
                Field("id", "integer"),
                Field("compact"),
                Field("objective", "integer"),
                Field("slice_kind"),
                Field("slice_key"),
                Field("date", "date"),
                Field("computed_at", "datetime"),
                Field("figures", "object"),
            ),
            _snapshot_rows,
            primary_key=("id",),
        ),
    ]


def row_counts(files: list[dict[str, Any]]) -> dict[str, int]:
    return {f["resource"]: f["rows"] for f in files if f.get("resource")}
