"""Pledges as the API reads them (list, detail), built set-based from plain rows.

`PledgeSerializer` declares the representation (the OpenAPI schema, the answers to writes, the
ETag that `If-Match` is checked against); this module produces the same dicts for reads without
its per-row, per-field machinery. Profiled on the benchmark's page of 100 pledges, the
serializer path spent ~60 ms per request in Python: building five model instances per pledge
(the pledge and its select_related rows) for the cursor paginator, and calling ~35 field
objects per pledge. Here a pledge is one dict literal built from a `.values()` row (its joined
columns included) and the eight `values_list` queries of `loading.pledge_lists` — the detail,
and lists in a time zone other than UTC — and otherwise a list page's JSON is written by the
database itself (`PAGE_SQL`, below), in one prepared statement. `tests/api/test_pledge_reading.py`
checks, byte for byte, that every path gives the serializer's JSON for pledges with every kind
of related row.
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

import orjson
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable
from django.utils import timezone

from core.api.prepared import fetch_prepared
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


# On PostgreSQL each pledge of a list page is written as JSON by the database, in the bytes the
# API sends (compact, keys in the serializer's order, strings escaped as Python's json escapes
# them — U+2028/U+2029 aside, which the renderer escapes on the whole body): the page's rows
# arrive as one text each and go into the answer as they are (`orjson.Fragment`). Decoding ~30
# typed columns and eight nested lists per pledge, building dicts and encoding them again was
# most of a list request's time in Python. The page itself is Django's query of the ids
# (filters, ordering and the cursor applied as usual); the JSON is built for its 101 rows only,
# joined to what they show inline, with each nested list read in one grouped pass over the
# page's ids through the `pledge_id` indexes.
# `tests/api/test_pledge_reading.py` holds the result byte-equal to `PledgeSerializer`.
#
# Links are the request's absolute URLs: their prefix and suffix are bound parameters; the keys
# put between them (reference, compact and forum codes, UUIDs, ids) need no escaping when they
# are made of unreserved characters — the `plain` column says so, and a page with any other key
# is represented in Python instead (`PledgeReader.represent`), as are pages requested in a time
# zone other than UTC (the SQL writes datetimes in UTC).


def _text(column: str) -> str:
    """A text column as a JSON string, or null."""
    return f"COALESCE(to_json({column})::text, 'null')"


def _day(column: str) -> str:
    return f"""COALESCE('"' || to_char({column}, 'YYYY-MM-DD') || '"', 'null')"""


def _stamp(column: str) -> str:
    """As DRF writes a datetime in UTC: ISO 8601, microseconds only when there are some, Z."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"""COALESCE('"' || to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN """
        f"""date_trunc('second', {utc}) = {utc} THEN '' ELSE to_char({utc}, '.US') END """
        f"""|| 'Z"', 'null')"""
    )


def _money_text(column: str) -> str:
    # The columns have two decimal places, which their text shows (as `f"{value:.2f}"`).
    return f"""COALESCE('"' || {column}::text || '"', 'null')"""


def _list(items: str, source: str, order: str) -> str:
    """A nested list of every pledge of the page `p`, as `(pledge_id, json)` rows: `source` is
    `FROM …` with the list's table aliased `l`. One grouped pass over the page's ids through
    the `pledge_id` index, joined once to the small reference tables (a correlated subquery per
    pledge scanned those tables again for every pledge: half of the statement's time)."""
    return (
        f"SELECT l.pledge_id, '[' || string_agg({items}, ',' ORDER BY {order}) || ']' AS json "  # noqa: S608
        f"{source} AND l.pledge_id = ANY(ARRAY(SELECT id FROM p)) GROUP BY l.pledge_id"
    )


def _link(key: str, name: str) -> str:
    """`"<prefix><key><suffix>"` with prefix and suffix of link `name` bound (`%(name)s`)."""
    return f"""'"' || %({name}_prefix)s::text || {key} || %({name}_suffix)s::text || '"'"""


# Each nested list: the same rows, order and formatting as `loading._pledge_list_queries`.
NESTED_JSON_SQL = {
    "co_pledgers": _list(
        """'{"id":"' || e.public_id::text || '","name":' || to_json(e.name)::text"""
        """ || ',"role":' || to_json(l.role)::text || ',"url":' || """
        + _link("e.public_id::text", "entity")
        + " || '}'",
        # PledgeParticipant.objects.public(): accepted, of a verified entity.
        "FROM pledges_pledgeparticipant l JOIN pledges_entity e ON e.id = l.entity_id"
        " WHERE l.status = 'accepted' AND e.is_verified",
        "e.name",
    ),
    "objectives": _list(
        """'{"id":' || o.id || ',"code":' || to_json(c.code || '-' || o.number)::text"""
        """ || ',"number":' || o.number || ',"short_label":' || """
        + _text("o.short_label")
        + """ || ',"url":' || """
        + _link("o.id", "objective")
        + " || '}'",
        "FROM pledges_pledge_objectives l JOIN compacts_objective o ON o.id = l.objective_id"
        " JOIN compacts_compact c ON c.id = o.compact_id WHERE TRUE",
        "c.code, o.number",
    ),
    "actions": _list(
        """'{"code":' || to_json(c.code || '-' || o.number || '(' || a.letter || ')')::text"""
        """ || ',"text":' || """ + _text("a.text") + " || '}'",
        "FROM pledges_pledge_actions l JOIN compacts_objectiveaction a"
        " ON a.id = l.objectiveaction_id JOIN compacts_objective o ON o.id = a.objective_id"
        " JOIN compacts_compact c ON c.id = o.compact_id WHERE TRUE",
        "c.code, o.number, a.letter",
    ),
    "principles": _list(
        """'{"number":' || g.number || ',"name":' || """ + _text("g.name") + " || '}'",
        "FROM pledges_pledge_principles l JOIN compacts_guidingprinciple g"
        " ON g.id = l.guidingprinciple_id WHERE TRUE",
        "g.number",
    ),
    "thematic_areas": _list(
        """'{"slug":' || """
        + _text("t.slug")
        + """ || ',"name":' || """
        + _text("t.name")
        + " || '}'",
        "FROM pledges_pledge_thematic_areas l JOIN compacts_thematicarea t"
        " ON t.id = l.thematicarea_id WHERE TRUE",
        "t.name",
    ),
    "support_types": _list(
        """'{"code":' || """
        + _text("s.code")
        + """ || ',"name":' || """
        + _text("s.name")
        + " || '}'",
        "FROM pledges_pledge_support_types l JOIN pledges_supporttype s"
        " ON s.id = l.supporttype_id WHERE TRUE",
        "s.position, s.name",
    ),
    "beneficiary_countries": _list(
        """'{"code":' || """
        + _text("c.code")
        + """ || ',"name":' || """
        + _text("c.name")
        + " || '}'",
        "FROM pledges_pledge_beneficiary_countries l JOIN core_country c"
        " ON c.code = l.country_id WHERE TRUE",
        "l.country_id",
    ),
    "targets": _list(
        """'{"id":' || l.id || ',"metric":' || """
        + _text("l.metric")
        + """ || ',"unit":' || """
        + _text("l.unit")
        + """ || ',"baseline":' || """
        + _money_text("l.baseline")
        + """ || ',"target_value":' || """
        + _money_text("l.target_value")
        + """ || ',"due_date":' || """
        + _day("l.due_date")
        + " || '}'",
        "FROM pledges_pledgetarget l WHERE TRUE",
        "l.id",
    ),
}


# Where each of COLUMNS is read in PAGE_SQL: the pledge `pl` and the rows it shows inline.
COLUMN_SQL = {
    **{name: f"pl.{name}" for name in COLUMNS if "__" not in name},
    "compact__code": "cc.code",
    "compact__name": "cc.name",
    "forum__code": "ff.code",
    "forum__name": "ff.name",
    "entity__public_id": "pe.public_id",
    "entity__name": "pe.name",
    "entity__acronym": "pe.acronym",
    "entity__entity_type__code": "et.code",
    "support_platform__code": "sp.code",
    "support_platform__name": "sp.name",
}
JOINS_SQL = (
    "JOIN pledges_pledge pl ON pl.id = p.id"
    " JOIN compacts_compact cc ON cc.id = pl.compact_id"
    " JOIN forums_forum ff ON ff.id = pl.forum_id"
    " JOIN pledges_entity pe ON pe.id = pl.entity_id"
    " JOIN pledges_entitytype et ON et.id = pe.entity_type_id"
    " LEFT JOIN compacts_supportplatform sp ON sp.id = pl.support_platform_id"
)


def _c(name: str) -> str:
    return COLUMN_SQL[name]


_INSIDER = "(pl.entity_id = ANY(%(own_entities)s::bigint[]) OR %(secretariat)s::boolean)"

# The representation of a row `p` of the page, key by key as `PledgeReader.represent_loaded`.
# One `concat()` of short pieces: chaining `||` copies the growing text at every step, which
# made building ~2,800 bytes per pledge cost more than all the rest of the query.
BODY_SQL = (
    "concat("
    + ", ".join(
        [
            """'{"url":' || """ + _link(_c("reference"), "pledge"),
            """',"reference":' || """ + _text(_c("reference")),
            """',"id":"' || pl.public_id::text || '"'""",
            """',"title":' || """ + _text(_c("title")),
            """',"description":' || """ + _text(_c("description")),
            """',"compact":{"code":' || """ + _text(_c("compact__code")),
            """',"name":' || """ + _text(_c("compact__name")),
            """',"url":' || """ + _link(_c("compact__code"), "compact") + " || '}'",
            """',"forum":{"code":' || """ + _text(_c("forum__code")),
            """',"name":' || """ + _text(_c("forum__name")),
            """',"url":' || """ + _link(_c("forum__code"), "forum") + " || '}'",
            """',"entity":{"id":"' || pe.public_id::text || '"'""",
            """',"name":' || """ + _text(_c("entity__name")),
            """',"acronym":' || """ + _text(_c("entity__acronym")),
            """',"entity_type":' || """ + _text(_c("entity__entity_type__code")),
            """',"url":' || """ + _link(_c("entity__public_id") + "::text", "entity") + " || '}'",
            """',"co_pledgers":' || """ + "COALESCE(n_co_pledgers.json, '[]')",
            """',"objectives":' || """ + "COALESCE(n_objectives.json, '[]')",
            """',"actions":' || """ + "COALESCE(n_actions.json, '[]')",
            """',"principles":' || """ + "COALESCE(n_principles.json, '[]')",
            """',"thematic_areas":' || """ + "COALESCE(n_thematic_areas.json, '[]')",
            """',"support_types":' || """ + "COALESCE(n_support_types.json, '[]')",
            """',"geography_scope":' || """ + _text(_c("geography_scope")),
            """',"beneficiary_countries":' || """ + "COALESCE(n_beneficiary_countries.json, '[]')",
            """',"support_platform":' || CASE WHEN sp.code IS NULL THEN 'null'"""
            """ ELSE '{"code":' || """
            + _text(_c("support_platform__code"))
            + """ || ',"name":' || """
            + _text(_c("support_platform__name"))
            + " || '}' END",
            """',"start_date":' || """ + _day(_c("start_date")),
            """',"end_date":' || """ + _day(_c("end_date")),
            """',"amount":' || """ + _money_text(_c("amount")),
            """',"currency":' || """ + _text(_c("currency_id")),
            """',"announced_on":' || """ + _day(_c("announced_on")),
            """',"targets":' || """ + "COALESCE(n_targets.json, '[]')",
            """',"review_state":' || """ + _text(_c("review_state")),
            """',"implementation_status":' || """ + _text(_c("implementation_status")),
            """',"last_update_on":' || """ + _day(_c("last_update_on")),
            """',"submitted_at":' || """ + _stamp(_c("submitted_at")),
            """',"published_at":' || """ + _stamp(_c("published_at")),
            """',"created_at":' || """ + _stamp(_c("created_at")),
            """',"updated_at":' || """ + _stamp(_c("updated_at")),
            """',"version":' || pl.version::text""",
            f"""',"contact_name":' || CASE WHEN {_INSIDER} THEN """
            + _text(_c("contact_name"))
            + " ELSE 'null' END",
            f"""',"contact_email":' || CASE WHEN {_INSIDER} THEN """
            + _text(_c("contact_email"))
            + " ELSE 'null' END",
            """',"updates_url":"' || %(updates_prefix)s::text || pl.reference || '"}'""",
        ]
    )
    + ")"
)

_PLAIN = "'^[A-Za-z0-9_.~-]*$'"
PLAIN_SQL = f"(pl.reference ~ {_PLAIN} AND cc.code ~ {_PLAIN} AND ff.code ~ {_PLAIN})"
# The page's rows: what the cursor paginator and Last-Modified read, and the JSON. Fixed SQL:
# every value is a bound parameter. `p` is Django's query of the page, numbered in its order.
PAGE_SQL = (
    "WITH p AS MATERIALIZED (SELECT q.id, row_number() OVER () AS position FROM (<page>) q), "  # noqa: S608
    + ", ".join(f"n_{name} AS ({sql})" for name, sql in NESTED_JSON_SQL.items())
    + " SELECT <columns>, "
    + PLAIN_SQL
    + " AS plain, "
    + BODY_SQL
    + " AS body FROM p "
    + JOINS_SQL
    + " "
    + " ".join(f"LEFT JOIN n_{name} ON n_{name}.pledge_id = p.id" for name in NESTED_JSON_SQL)
    + " ORDER BY <order>"
)


class PageIterable(ValuesIterable):
    """Rows for a `.values("id")` queryset: its SQL wrapped in PAGE_SQL, run as a prepared
    statement. `links` holds the named parameters of PAGE_SQL. A row has the JSON (`body`),
    whether its keys are `plain`, `id`, `updated_at` (Last-Modified) and the ordering fields
    (the cursor's position): decoding the datetimes of columns nobody reads cost ~0.5 ms."""

    links: dict[str, Any] = {}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        queryset = self.queryset
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            page, page_params = compiler.as_sql()
        except EmptyResultSet:
            return
        ordering = [
            name
            for name in queryset.query.order_by
            if isinstance(name, str) and name.lstrip("-") in COLUMNS
        ]
        names = [*dict.fromkeys(["id", "updated_at", *(n.lstrip("-") for n in ordering)])]
        order = [f"{_c(n.lstrip('-'))} {'DESC' if n.startswith('-') else 'ASC'}" for n in ordering]
        # The page's own order, written out when it can be; its row numbers otherwise.
        if not order or len(order) != len(queryset.query.order_by):
            order = ["p.position"]
        outer = (
            PAGE_SQL.replace("<columns>", ", ".join(_c(name) for name in names))
            .replace("<page>", "%s")
            .replace("<order>", ", ".join(order))
        )
        names += ["plain", "body"]
        # Named parameters of the outer SELECT become positional, before and after the page's.
        sql, params = _positional(outer, self.links, page, page_params)
        for row in fetch_prepared(queryset.db, sql, params):
            yield dict(zip(names, row, strict=True))


NAMED = re.compile(r"%\((\w+)\)s|%s")


def _positional(
    outer: str, named: dict[str, Any], page: str, page_params: Sequence[Any]
) -> tuple[str, list[Any]]:
    params: list[Any] = []

    def substitute(match: re.Match[str]) -> str:
        if match.group() == "%s":
            params.extend(page_params)
            return page
        params.append(named[match.group(1)])
        return "%s"

    return NAMED.sub(substitute, outer), params


def pledge_values(queryset: QuerySet[Pledge], reader: "PledgeReader") -> QuerySet[Any]:
    """The filtered pledges as rows for `reader.represent`: in UTC each with its JSON
    (`PAGE_SQL`), run as a prepared statement; in another time zone as rows of COLUMNS."""
    if reader.timezone_name != "UTC":
        return queryset.values(*COLUMNS)
    # Django's query selects the page's ids (filters, order, cursor and limit as usual); the
    # columns are read by PAGE_SQL for those 101 rows only.
    ids = queryset.values("id")
    ids._iterable_class = type("Page", (PageIterable,), {"links": reader.sql_params()})
    return ids


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


def _json_content(text: str) -> str:
    """`text` as it is written between the quotes of a JSON string."""
    return orjson.dumps(text).decode()[1:-1]


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

    @property
    def timezone_name(self) -> str:
        return timezone.get_current_timezone_name()

    def sql_params(self) -> dict[str, Any]:
        """The named parameters of `PAGE_SQL` for this request: link prefixes and suffixes (as
        JSON string contents) and who the caller is."""
        params: dict[str, Any] = {}
        for name, template in self.templates.items():
            prefix, suffix = template.split(PLACEHOLDER, 1)
            params[f"{name}_prefix"] = _json_content(prefix)
            params[f"{name}_suffix"] = _json_content(suffix)
        params["updates_prefix"] = _json_content(
            list_url(self.context, "pledge-update-list", pledge="")
        )
        params["own_entities"] = sorted(own_entity_ids(self.context))
        params["secretariat"] = caller_is_secretariat(self.context)
        return params

    def represent(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """The representation of each row of `pledge_values`, in order: the JSON the database
        wrote (as `orjson.Fragment`s), or dicts built here."""
        if rows and "body" in rows[0]:
            if all(row["plain"] for row in rows):
                return [orjson.Fragment(row["body"]) for row in rows]
            # A key that needs escaping in a link: the whole page is represented here.
            ids = [row["id"] for row in rows]
            by_id = {row["id"]: row for row in Pledge.objects.filter(pk__in=ids).values(*COLUMNS)}
            rows = [by_id[pk] for pk in ids]
        return self.represent_loaded(rows, pledge_lists([row["id"] for row in rows]))

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
