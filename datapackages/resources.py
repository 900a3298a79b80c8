"""The tables of the public data package: what each holds and the one statement that reads it.

Every statement selects public rows only, and none restates what "public" means: each compiles
the querysets that say it for the public pages and the API's anonymous reads
(`docs/security.md`). Pledges: `Pledge.objects.visible_to(None)` (published), which every
table hanging off a pledge (co-pledgers, objectives, targets) is joined to; co-pledgers:
`PledgeParticipant.objects.public()` (accepted, of a verified entity); updates:
`PledgeUpdate.objects.public()` (`public_update_q`: approved, by a verified entity, of a published
pledge); entities: `Entity.objects.visible_to(None)` (verified). Pledges are read by the API's
own export statement (`PledgeReader.export_select`), so the package's `pledges` table has the
columns of `/api/v1/pledges/?format=csv`.
"""

from typing import Any

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from indicators import composite
from pledges.api.reading import PledgeReader
from pledges.api.shape import EXPORT_COLUMNS
from pledges.models import Entity, Pledge, PledgeParticipant, PledgeUpdate

from .builder import Field, Resource, Statement

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


def _text(name: str) -> Cast:
    return Cast(name, output_field=TextField())


def _compiled(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _published_pledges() -> QuerySet[Pledge]:
    """What anybody may see of pledges: the rule's one home, compiled into every table."""
    return Pledge.objects.visible_to(None)


def _of_published_pledges(select: str, rest: str) -> Statement:
    """`select` over the published pledges `p` (`p.id`, `p.reference`) followed by `rest`
    (joins to `p`, and the order)."""
    pledges, params = _compiled(_published_pledges().order_by().values("id", "reference"))
    sql = f"SELECT {select} FROM ({pledges}) AS p (id, reference) {rest}"  # noqa: S608 -- compiled by the ORM
    return sql, params


def _pledge_rows() -> Statement:
    reader = PledgeReader({})  # no request: the anonymous caller, links relative to the site
    return reader.export_select(_published_pledges().order_by("id"))


def _participant_rows() -> Statement:
    public, public_params = _compiled(
        PledgeParticipant.objects.public()
        .order_by()
        .values_list(
            "pledge_id",
            "entity_id",
            _text("entity__public_id"),
            "entity__name",
            "role",
            "responded_at",
        )
    )
    sql, params = _of_published_pledges(
        "p.reference, pp.public_id, pp.name, pp.role, pp.responded_at",
        f"JOIN ({public}) AS pp (pledge_id, entity_id, public_id, name, role, responded_at)"
        " ON pp.pledge_id = p.id ORDER BY p.id, pp.name, pp.entity_id",
    )
    return sql, [*params, *public_params]


def _objective_rows() -> Statement:
    return _of_published_pledges(
        "p.reference, c.code, o.number",
        "JOIN pledges_pledge_objectives po ON po.pledge_id = p.id"
        " JOIN compacts_objective o ON o.id = po.objective_id"
        " JOIN compacts_compact c ON c.id = o.compact_id ORDER BY p.id, o.number",
    )


def _target_rows() -> Statement:
    return _of_published_pledges(
        "t.id, p.reference, t.metric, t.unit, t.baseline, t.target_value, t.due_date",
        "JOIN pledges_pledgetarget t ON t.pledge_id = p.id ORDER BY t.id",
    )


def _update_rows() -> Statement:
    """The rows of `PledgeUpdate.objects.public()`."""
    return _compiled(
        PledgeUpdate.objects.public()
        .order_by("id")
        .values_list(
            _text("public_id"),
            "pledge__reference",
            _text("entity__public_id"),
            "round__title",
            "status",
            "narrative",
            "challenges",
            "disbursed_amount",
            "reported_on",
            "reviewed_at",
        )
    )


def _entity_rows() -> Statement:
    return _compiled(
        Entity.objects.visible_to(None)
        .order_by("id")
        .values_list(
            _text("public_id"),
            "name",
            "acronym",
            "entity_type__code",
            "country_id",
            "website",
            "verified_at",
        )
    )


def _indicator_value_rows() -> Statement:
    # Reference figures: all of them are public.
    return (
        "SELECT v.id, c.code, f.slug, i.code, v.country_id, v.year, v.value, "
        "v.numerator, v.denominator, r.title, v.source FROM indicators_indicatorvalue v "
        "JOIN indicators_indicator i ON i.id = v.indicator_id "
        "JOIN compacts_compact c ON c.id = i.compact_id "
        "LEFT JOIN indicators_frameworkedition f ON f.id = i.edition_id "
        "LEFT JOIN indicators_reportedition r ON r.id = v.report_id ORDER BY v.id",
        [],
    )


def _snapshot_rows() -> Statement:
    figures, params = composite.public_figures_sql("s.figures")
    return (
        "SELECT s.id, c.code, o.number, s.slice_kind, s.slice_key, s.date, s.computed_at, "  # noqa: S608 -- our own SQL
        f"{figures} FROM indicators_progresssnapshot s "
        "JOIN compacts_objective o ON o.id = s.objective_id "
        "JOIN compacts_compact c ON c.id = o.compact_id ORDER BY s.id",
        params,
    )


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
            _participant_rows,
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
            _objective_rows,
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
            _target_rows,
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
            _update_rows,
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
            _entity_rows,
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
            _indicator_value_rows,
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
