"""Pledges as the API reads them (list, detail), built set-based from plain rows.

`PledgeSerializer` declares the representation (the OpenAPI schema, the answers to writes, the
ETag that `If-Match` is checked against); this module produces the same dicts for reads without
its per-row, per-field machinery. Profiled on the benchmark's page of 100 pledges, the
serializer path spent ~60 ms per request in Python: building five model instances per pledge
(the pledge and its select_related rows) for the cursor paginator, and calling ~35 field
objects per pledge. Here the page is one `.values()` query (its joined columns included), the
nested lists are the eight `values_list` queries of `loading.pledge_lists`, and each pledge is
one dict literal. `tests/api/test_pledge_reading.py` checks, byte for byte, that both give the
same JSON for pledges with every kind of related row.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from django.db import connection
from django.db.models import Field, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from pledges.models import Pledge

from .loading import PLEDGE_LISTS, Rows, pledge_lists
from .serializers import (
    PLACEHOLDER,
    caller_is_secretariat,
    link_template,
    list_url,
    own_entity_ids,
)

# The pledge's own columns and those of the rows it shows inline, as `.values()` names them.
# The ordering fields of the list (id, reference, created_at, updated_at) are among them: the
# cursor paginator reads its position from the last row.
COLUMNS = (
    "id",
    "reference",
    "public_id",
    "title",
    "description",
    "compact__code",
    "compact__name",
    "forum__code",
    "forum__name",
    "entity_id",
    "entity__public_id",
    "entity__name",
    "entity__acronym",
    "entity__entity_type__code",
    "geography_scope",
    "support_platform__code",
    "support_platform__name",
    "start_date",
    "end_date",
    "amount",
    "currency_id",
    "announced_on",
    "review_state",
    "implementation_status",
    "last_update_on",
    "submitted_at",
    "published_at",
    "created_at",
    "updated_at",
    "version",
    "contact_name",
    "contact_email",
)


# On PostgreSQL the page's own query also brings each pledge's nested lists, as JSON arrays
# built by correlated subqueries (evaluated for the page's rows only, through the `pledge_id`
# indexes): one statement instead of nine; psycopg decodes the `json` values (hence a plain
# `Field`, without a converter of its own). Each is the SQL of the list in
# `loading._pledge_list_queries` (same rows, order and formatting: the API writes money with
# two places, dates as ISO); `tests/api/test_pledge_reading.py` holds them byte-equal.
NESTED_SQL = {
    "objectives": """SELECT json_agg(json_build_object(
            'id', o.id, 'code', c.code || '-' || o.number, 'number', o.number,
            'short_label', o.short_label) ORDER BY c.code, o.number)
        FROM pledges_pledge_objectives l
        JOIN compacts_objective o ON o.id = l.objective_id
        JOIN compacts_compact c ON c.id = o.compact_id
        WHERE l.pledge_id = pledges_pledge.id""",
    "actions": """SELECT json_agg(json_build_object(
            'code', c.code || '-' || o.number || '(' || a.letter || ')', 'text', a.text)
            ORDER BY c.code, o.number, a.letter)
        FROM pledges_pledge_actions l
        JOIN compacts_objectiveaction a ON a.id = l.objectiveaction_id
        JOIN compacts_objective o ON o.id = a.objective_id
        JOIN compacts_compact c ON c.id = o.compact_id
        WHERE l.pledge_id = pledges_pledge.id""",
    "principles": """SELECT json_agg(json_build_object('number', g.number, 'name', g.name)
            ORDER BY g.number)
        FROM pledges_pledge_principles l
        JOIN compacts_guidingprinciple g ON g.id = l.guidingprinciple_id
        WHERE l.pledge_id = pledges_pledge.id""",
    "thematic_areas": """SELECT json_agg(json_build_object('slug', t.slug, 'name', t.name)
            ORDER BY t.name)
        FROM pledges_pledge_thematic_areas l
        JOIN compacts_thematicarea t ON t.id = l.thematicarea_id
        WHERE l.pledge_id = pledges_pledge.id""",
    "support_types": """SELECT json_agg(json_build_object('code', s.code, 'name', s.name)
            ORDER BY s.position, s.name)
        FROM pledges_pledge_support_types l
        JOIN pledges_supporttype s ON s.id = l.supporttype_id
        WHERE l.pledge_id = pledges_pledge.id""",
    "beneficiary_countries": """SELECT json_agg(json_build_object('code', c.code, 'name', c.name)
            ORDER BY l.country_id)
        FROM pledges_pledge_beneficiary_countries l
        JOIN core_country c ON c.code = l.country_id
        WHERE l.pledge_id = pledges_pledge.id""",
    "targets": """SELECT json_agg(json_build_object(
            'id', t.id, 'metric', t.metric, 'unit', t.unit, 'baseline', t.baseline::text,
            'target_value', t.target_value::text,
            'due_date', to_char(t.due_date, 'YYYY-MM-DD')) ORDER BY t.id)
        FROM pledges_pledgetarget t
        WHERE t.pledge_id = pledges_pledge.id""",
    "co_pledgers": """SELECT json_agg(json_build_object(
            'id', e.public_id::text, 'name', e.name, 'role', p.role) ORDER BY e.name)
        FROM pledges_pledgeparticipant p
        JOIN pledges_entity e ON e.id = p.entity_id
        WHERE p.pledge_id = pledges_pledge.id AND p.status = 'accepted'""",
}


def pledge_values(queryset: QuerySet[Pledge]) -> QuerySet[Any]:
    """The filtered pledges as rows of `COLUMNS` (one query, joins included), and on
    PostgreSQL their nested lists as `nested_<list>` JSON arrays (null when empty)."""
    if connection.vendor != "postgresql":
        return queryset.values(*COLUMNS)
    nested = {
        f"nested_{name}": RawSQL(sql, (), output_field=Field())  # noqa: S611 - fixed SQL
        for name, sql in NESTED_SQL.items()
    }
    return queryset.annotate(**nested).values(*COLUMNS, *nested)


def row_of(pledge: Pledge) -> dict[str, Any]:
    """The `.values()` row of a pledge already loaded as a model instance (`with_api_data`)."""
    platform = pledge.support_platform
    return {
        "id": pledge.pk,
        "reference": pledge.reference,
        "public_id": pledge.public_id,
        "title": pledge.title,
        "description": pledge.description,
        "compact__code": pledge.compact.code,
        "compact__name": pledge.compact.name,
        "forum__code": pledge.forum.code,
        "forum__name": pledge.forum.name,
        "entity_id": pledge.entity_id,
        "entity__public_id": pledge.entity.public_id,
        "entity__name": pledge.entity.name,
        "entity__acronym": pledge.entity.acronym,
        "entity__entity_type__code": pledge.entity.entity_type.code,
        "geography_scope": pledge.geography_scope,
        "support_platform__code": None if platform is None else platform.code,
        "support_platform__name": None if platform is None else platform.name,
        "start_date": pledge.start_date,
        "end_date": pledge.end_date,
        "amount": pledge.amount,
        "currency_id": pledge.currency_id,
        "announced_on": pledge.announced_on,
        "review_state": pledge.review_state,
        "implementation_status": pledge.implementation_status,
        "last_update_on": pledge.last_update_on,
        "submitted_at": pledge.submitted_at,
        "published_at": pledge.published_at,
        "created_at": pledge.created_at,
        "updated_at": pledge.updated_at,
        "version": pledge.version,
        "contact_name": pledge.contact_name,
        "contact_email": pledge.contact_email,
    }


# The characters `quote(…, safe="")` and `quote_plus` leave as they are: references, codes
# and UUIDs are made of them, and skipping the call for them saves ~600 calls a page.
UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _quoted(key: str) -> str:
    return key if UNRESERVED.fullmatch(key) else quote(key, safe="")


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _money(value: Any) -> str | None:
    # DRF's DecimalField quantizes to the column's 2 places; the column already has them.
    return None if value is None else f"{value:.2f}"


class PledgeReader:
    """Represents pages of pledge rows for one request (`context` is the serializer context:
    the request, and the per-request caches of links and of the caller's standing)."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        self.timezone = timezone.get_current_timezone()
        self.templates = {
            name: link_template(context, view, kwarg)
            for name, view, kwarg in (
                ("pledge", "pledge-detail", "reference"),
                ("compact", "compact-detail", "code"),
                ("forum", "forum-detail", "code"),
                ("entity", "entity-detail", "public_id"),
                ("objective", "objective-detail", "pk"),
            )
        }

    def _datetime(self, value: dt.datetime | None) -> str | None:
        """As DRF's DateTimeField writes it: in the current time zone, ISO 8601, UTC as Z."""
        if value is None:
            return None
        text = value.astimezone(self.timezone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def _insider(self, entity_id: int) -> bool:
        # Same rule as serializers.is_insider (asked only when there is a pledge to show).
        return entity_id in own_entity_ids(self.context) or caller_is_secretariat(self.context)

    def represent(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The representation of each row of `pledge_values`, in order."""
        if rows and "nested_objectives" in rows[0]:
            lists = {
                name: {row["id"]: row[f"nested_{name}"] or [] for row in rows}
                for name in PLEDGE_LISTS
            }
        else:
            lists = pledge_lists([row["id"] for row in rows])
        return self.represent_loaded(rows, lists)

    def represent_instance(self, pledge: Pledge) -> dict[str, Any]:
        """The representation of a pledge whose nested lists `load_pledge_rows` attached."""
        lists = {name: {pledge.pk: pledge.api_rows[name]} for name in PLEDGE_LISTS}  # type: ignore[attr-defined]
        return self.represent_loaded([row_of(pledge)], lists)[0]

    def represent_loaded(
        self, rows: Iterable[dict[str, Any]], lists: dict[str, Rows]
    ) -> list[dict[str, Any]]:
        link = self.templates
        stamp = self._datetime
        empty: list[dict[str, Any]] = []
        objectives, actions, principles = (
            lists["objectives"],
            lists["actions"],
            lists["principles"],
        )
        areas, types, countries = (
            lists["thematic_areas"],
            lists["support_types"],
            lists["beneficiary_countries"],
        )
        targets, co_pledgers = lists["targets"], lists["co_pledgers"]
        # list_url's `…/?pledge=<reference>`, as urlencode writes it.
        updates = list_url(self.context, "pledge-update-list", pledge="")
        answer = []
        for row in rows:
            pk = row["id"]
            reference = row["reference"]
            compact = row["compact__code"]
            forum = row["forum__code"]
            entity = str(row["entity__public_id"])
            insider = self._insider(row["entity_id"])
            platform = row["support_platform__code"]
            answer.append(
                {
                    "url": link["pledge"].replace(PLACEHOLDER, _quoted(reference)),
                    "reference": reference,
                    "id": str(row["public_id"]),
                    "title": row["title"],
                    "description": row["description"],
                    "compact": {
                        "code": compact,
                        "name": row["compact__name"],
                        "url": link["compact"].replace(PLACEHOLDER, _quoted(compact)),
                    },
                    "forum": {
                        "code": forum,
                        "name": row["forum__name"],
                        "url": link["forum"].replace(PLACEHOLDER, _quoted(forum)),
                    },
                    "entity": {
                        "id": entity,
                        "name": row["entity__name"],
                        "acronym": row["entity__acronym"],
                        "entity_type": row["entity__entity_type__code"],
                        "url": link["entity"].replace(PLACEHOLDER, _quoted(entity)),
                    },
                    "co_pledgers": [
                        {**item, "url": link["entity"].replace(PLACEHOLDER, item["id"])}
                        for item in co_pledgers.get(pk, empty)
                    ],
                    "objectives": [
                        {**item, "url": link["objective"].replace(PLACEHOLDER, str(item["id"]))}
                        for item in objectives.get(pk, empty)
                    ],
                    "actions": actions.get(pk, empty),
                    "principles": principles.get(pk, empty),
                    "thematic_areas": areas.get(pk, empty),
                    "support_types": types.get(pk, empty),
                    "geography_scope": row["geography_scope"],
                    "beneficiary_countries": countries.get(pk, empty),
                    "support_platform": None
                    if platform is None
                    else {"code": platform, "name": row["support_platform__name"]},
                    "start_date": _date(row["start_date"]),
                    "end_date": _date(row["end_date"]),
                    "amount": _money(row["amount"]),
                    "currency": row["currency_id"],
                    "announced_on": _date(row["announced_on"]),
                    "targets": targets.get(pk, empty),
                    "review_state": row["review_state"],
                    "implementation_status": row["implementation_status"],
                    "last_update_on": _date(row["last_update_on"]),
                    "submitted_at": stamp(row["submitted_at"]),
                    "published_at": stamp(row["published_at"]),
                    "created_at": stamp(row["created_at"]),
                    "updated_at": stamp(row["updated_at"]),
                    "version": row["version"],
                    "contact_name": row["contact_name"] if insider else None,
                    "contact_email": row["contact_email"] if insider else None,
                    "updates_url": updates
                    + (reference if UNRESERVED.fullmatch(reference) else quote_plus(reference)),
                }
            )
        return answer
