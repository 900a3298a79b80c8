"""A pledge as the API shows it, defined once.

`KEYS` lists the keys of a pledge in the order partners read them. Each key has a `Value` that
knows three things: the SQL that writes it as JSON (the database writes every pledge the API
sends: list pages, the detail and the answer to every write; `reading.py`), the SQL of its
export cell (CSV and XLSX), and its description in the OpenAPI document (a read-only DRF field;
`PledgeSerializer` is made of them). A new column of the pledge is one `Key(name,
Column(name))` here, plus its name in `EXPORT_COLUMNS` if spreadsheets should have it.

The SQL reads the page's pledge as `pl`, its compact `cc`, forum `ff`, entity `pe` and the
entity's type `et`, and its support platform `sp` (`reading.JOINS_SQL`); a nested list's rows
are `l` joined to what its `source` names. Links are the request's absolute URLs: the prefix
and suffix of each link are bound parameters (`%(<link>_prefix)s`), the key between them needs
no escaping (`Link`). Datetimes are written in the request's
time zone (`%(tz)s`), as DRF writes them. Names of reference data are written in the request's
language (`translated`): a column name cannot be a bound parameter, so the SQL names the
language's column through the `<lang>` token, which `reading.py` replaces, one statement per
language.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from rest_framework import serializers

from pledges.models import ParticipantRole, Pledge, TargetUnit


class MoneyOptions(TypedDict):
    """The precision of an amount (`DecimalField(**MONEY)`), typed so `**MONEY` type-checks."""

    max_digits: int
    decimal_places: int


MONEY: MoneyOptions = {"max_digits": 18, "decimal_places": 2}

Kind = Literal["text", "day", "stamp", "money", "int", "uuid"]

# Whether the caller is a member of the pledge's entity or of the secretariat.
INSIDER_SQL = "(pl.entity_id = ANY(%(own_entities)s::bigint[]) OR %(secretariat)s::boolean)"


# The suffix of the request's language in translated column names (modeltranslation's
# `name_fr`, `name_zh_hans`), put in by `reading.statements`.
LANGUAGE = "<lang>"


# --------------------------------------------------------------------------------------------
# SQL of one value: its text (an export cell) and its JSON
# --------------------------------------------------------------------------------------------


def _stamp_text(column: str) -> str:
    """As DRF writes a datetime: in the request's time zone, ISO 8601, microseconds only when
    there are some, `Z` for a zero offset and `±HH:MM[:SS]` otherwise. In UTC (the site's time
    zone: what every request uses unless one is activated) one `to_char` does it: the general
    expression computes the offset six times, and its datetimes were a third of the list
    statement's time."""
    in_utc = (
        f"""replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),"""
        " '.000000Z', 'Z')"
    )
    return f"CASE WHEN %(tz)s::text = 'UTC' THEN {in_utc} ELSE {_zoned_stamp_text(column)} END"


def _zoned_stamp_text(column: str) -> str:
    local = f"({column} AT TIME ZONE %(tz)s)"
    offset = f"extract(epoch FROM {local} - ({column} AT TIME ZONE 'UTC'))::int"
    seconds = f"abs({offset})"
    return (
        f"""to_char({local}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
        f" || CASE WHEN date_trunc('second', {local}) = {local} THEN ''"
        f" ELSE to_char({local}, '.US') END"
        f" || CASE WHEN {offset} = 0 THEN 'Z' ELSE"
        f" CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
        f" || lpad(({seconds} / 3600)::text, 2, '0')"
        f" || ':' || lpad((mod({seconds}, 3600) / 60)::text, 2, '0')"
        f" || CASE WHEN mod({seconds}, 60) = 0 THEN ''"
        f" ELSE ':' || lpad(mod({seconds}, 60)::text, 2, '0') END END"
    )


def _cell_sql(kind: Kind, expression: str) -> str:
    """The value as an export cell: text, a number, or NULL (an empty cell)."""
    if kind == "day":
        return f"to_char({expression}, 'YYYY-MM-DD')"
    if kind == "stamp":
        return _stamp_text(expression)
    if kind == "uuid":
        return f"{expression}::text"
    return expression  # text, and numbers that stay numbers (money, int)


def _json_sql(kind: Kind, expression: str) -> str:
    """The value as JSON text; `null` for NULL."""
    if kind == "text":
        return f"COALESCE(to_json({expression})::text, 'null')"
    if kind == "int":
        return f"COALESCE(({expression})::text, 'null')"
    if kind == "money":
        # As DRF's DecimalField writes it: a string, with the column's two decimal places.
        return f"""COALESCE('"' || ({expression})::text || '"', 'null')"""
    # Dates, datetimes and UUIDs: their text needs no escaping.
    return f"""COALESCE('"' || {_cell_sql(kind, expression)} || '"', 'null')"""


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


class Value:
    """What a key shows. Subclasses give its JSON, its export cell and its description."""

    def free_text(self) -> bool:
        """Whether its export cell is text a spreadsheet could read as a formula (the CSV that
        PostgreSQL writes neutralises it, `reading.py`): links, dates and ids never begin with
        such a character, and numbers stay numbers."""
        return False

    def json(self) -> str:
        raise NotImplementedError

    def cell(self) -> str:
        raise NotImplementedError

    def schema(self) -> serializers.Field:
        raise NotImplementedError


@dataclass(frozen=True)
class Sql(Value):
    """An SQL expression of a kind, described by `describe` (a DRF field class and its
    keyword arguments; read-only is implied)."""

    expression: str
    kind: Kind = "text"
    describe: type[serializers.Field] = serializers.CharField
    options: dict[str, Any] = field(default_factory=dict)  # the DRF field's keyword arguments

    def free_text(self) -> bool:
        return self.kind == "text"

    def json(self) -> str:
        return _json_sql(self.kind, self.expression)

    def cell(self) -> str:
        return _cell_sql(self.kind, self.expression)

    def schema(self) -> serializers.Field:
        return self.describe(read_only=True, **self.options)


@dataclass(frozen=True)
class JsonList(Value):
    """A JSON array of texts written by an SQL expression (a list nested in a nested row)."""

    expression: str

    def json(self) -> str:
        return f"COALESCE(({self.expression})::text, '[]')"

    def cell(self) -> str:
        raise TypeError("a list inside a nested row is not exported")

    def schema(self) -> serializers.Field:
        return serializers.ListField(child=serializers.CharField(), read_only=True)


def translated(column: str) -> Sql:
    """A translated column (`x.name`) in the request's language, in English where that
    language's text is empty, as `core.localized` and modeltranslation's fallback read it."""
    return Sql(f"COALESCE(NULLIF({column}_{LANGUAGE}, ''), {column})")


_KIND_OF_FIELD: dict[str, Kind] = {
    "CharField": "text",
    "TextField": "text",
    "EmailField": "text",
    "DateField": "day",
    "DateTimeField": "stamp",
    "DecimalField": "money",
    "UUIDField": "uuid",
    "IntegerField": "int",
    "PositiveIntegerField": "int",
    "BigAutoField": "int",
}


@dataclass(frozen=True)
class Column(Value):
    """A column of the pledge itself: its kind and description come from the model field
    (its choices, help text and title included)."""

    name: str

    def _field(self) -> models.Field:
        model_field = Pledge._meta.get_field(self.name)
        if not isinstance(model_field, models.Field):  # a reverse relation has no column
            raise TypeError(f"Pledge.{self.name} is not a column of the pledge")
        return model_field

    def _sql(self) -> Sql:
        model_field = self._field()
        return Sql(f"pl.{model_field.column}", _KIND_OF_FIELD[model_field.get_internal_type()])

    def free_text(self) -> bool:
        return self._sql().free_text()

    def json(self) -> str:
        return self._sql().json()

    def cell(self) -> str:
        return self._sql().cell()

    def schema(self) -> serializers.Field:
        field_class, options = serializers.ModelSerializer().build_standard_field(
            self.name, self._field()
        )
        # What a value can be (choices, blank, null, length, help text) describes the answer;
        # what an input must satisfy does not apply to a read-only field.
        for name in ("validators", "required", "default", "min_value", "max_value", "read_only"):
            options.pop(name, None)
        return field_class(read_only=True, **options)


@dataclass(frozen=True)
class Link(Value):
    """The absolute URL of a resource: the bound prefix and suffix of link `name` around the
    resource's key (`expression`). Every key is URL-safe: ids, UUIDs, and references and codes
    by check constraints (`pledge_reference_format`, `forum_code_format`, `compact_code_upper`)."""

    name: str
    expression: str
    help: StrOrPromise = ""  # lazy: the OpenAPI document is written in the caller's language

    def cell(self) -> str:
        return f"%({self.name}_prefix)s::text || {self.expression} || %({self.name}_suffix)s::text"

    def json(self) -> str:
        # The prefix and suffix are bound as JSON string contents (`reading.link_params`).
        return f"""'"' || {self.cell()} || '"'"""

    def schema(self) -> serializers.Field:
        return serializers.URLField(read_only=True, help_text=self.help or None)


@dataclass(frozen=True)
class Obj(Value):
    """A nested object, null when `null_when` holds; not an export cell of its own."""

    describe: type[serializers.Serializer]
    keys: dict[str, Value]
    null_when: str = ""

    def json(self) -> str:
        parts = [
            f"""'{"{" if i == 0 else ","}"{name}":' || {value.json()}"""
            for i, (name, value) in enumerate(self.keys.items())
        ]
        body = " || ".join(parts) + " || '}'"
        return f"CASE WHEN {self.null_when} THEN 'null' ELSE {body} END" if self.null_when else body

    def cell(self) -> str:
        raise TypeError("a nested object is exported by the cells of its keys (Key.export)")

    def schema(self) -> serializers.Field:
        return self.describe(read_only=True, allow_null=bool(self.null_when))


@dataclass(frozen=True)
class Nested(Value):
    """A list of rows shown inline. `source` is `FROM …` with the list's table aliased `l`
    (and a WHERE clause); `order` the order of the items; `label` what the export's one cell
    of the list writes of each item (joined with "; "), or "" if the list is not exported.
    Each list of a page is read in one grouped pass over the page's ids (`reading.py`)."""

    describe: type[serializers.Serializer]
    item: Obj
    source: str
    order: str
    label: str = ""

    def json(self) -> str:
        raise TypeError("a list is read by its own query (reading.nested_sql)")

    def cell(self) -> str:
        raise TypeError("a list is read by its own query (reading.nested_sql)")

    def schema(self) -> serializers.Field:
        return self.describe(many=True, read_only=True)


@dataclass(frozen=True)
class Insider(Value):
    """Shown only to members of the pledge's entity and to the secretariat, as on the web;
    null for everyone else."""

    value: Value

    def json(self) -> str:
        return f"CASE WHEN {INSIDER_SQL} THEN {self.value.json()} ELSE 'null' END"

    def cell(self) -> str:
        raise TypeError("insider-only values are not exported")

    def schema(self) -> serializers.Field:
        return serializers.CharField(read_only=True, allow_null=True)


# --------------------------------------------------------------------------------------------
# The nested shapes, as the OpenAPI document names them
# --------------------------------------------------------------------------------------------


class CompactLinkSerializer(serializers.Serializer):
    """A compact as nested in pledges."""

    code = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField()


class ForumLinkSerializer(CompactLinkSerializer):
    """A forum as nested in pledges."""


class ReaffirmationSerializer(serializers.Serializer):
    """The pledge announced again at a later forum of its compact."""

    forum = ForumLinkSerializer()
    reaffirmed_on = serializers.DateField()
    note = serializers.CharField()


class EntityLinkSerializer(serializers.Serializer):
    """An entity as nested in pledges: its public id, name, type code and link."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    entity_type = serializers.CharField()
    url = serializers.URLField()


class CoPledgerSerializer(serializers.Serializer):
    """An entity that co-pledges (it accepted the invitation)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    url = serializers.URLField()


class ObjectiveLinkSerializer(serializers.Serializer):
    """An objective as nested in pledges; `code` is how people cite it (GCM-23)."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    number = serializers.IntegerField()
    short_label = serializers.CharField()
    url = serializers.URLField()


class ActionLinkSerializer(serializers.Serializer):
    """A lettered GCM action, cited as GCM-23(a)."""

    code = serializers.CharField()
    text = serializers.CharField()


class PrincipleLinkSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class ThematicAreaLinkSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CodeNameSerializer(serializers.Serializer):
    """A reference row that has a code and a name (support type, platform, country)."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PledgeTranslationSerializer(serializers.Serializer):
    """The pledge's title and description in another language (added on the web pages)."""

    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    title = serializers.CharField()
    description = serializers.CharField()


class MspMembershipLinkSerializer(serializers.Serializer):
    """A multistakeholder pledge the pledge joined (an accepted membership of a published
    pledge). `role` is `lead` when the pledge's entity is an accepted lead of it."""

    slug = serializers.CharField(help_text=gettext_lazy("The multistakeholder pledge's code."))
    title = serializers.CharField()
    role = serializers.ChoiceField(choices=(("lead", "lead"), ("member", "member")))
    url = serializers.URLField()


class SupportPositionSerializer(serializers.Serializer):
    """What the pledge seeks (a need) or offers, as shown on its matching page."""

    side = serializers.ChoiceField(choices=(("seeks", "seeks"), ("offers", "offers")))
    support_type = CodeNameSerializer()
    amount = serializers.DecimalField(**MONEY, allow_null=True)
    currency = serializers.CharField(allow_null=True)
    countries = serializers.ListField(child=serializers.CharField())
    thematic_area = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("The thematic area's slug.")
    )
    description = serializers.CharField()


class MatchedPledgeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    entity = serializers.CharField(help_text=gettext_lazy("The other pledge's entity."))
    url = serializers.URLField()


class AcceptedMatchSerializer(serializers.Serializer):
    """An accepted match between this pledge and another published pledge."""

    id = serializers.UUIDField()
    side = serializers.ChoiceField(
        choices=(("seeks", "seeks"), ("offers", "offers")),
        help_text=gettext_lazy("This pledge's side: it seeks the support or offers it."),
    )
    pledge = MatchedPledgeSerializer(help_text=gettext_lazy("The other side's pledge."))
    accepted_at = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField()


class AttachmentLinkSerializer(serializers.Serializer):
    """A file attached to the pledge or to a progress update (the `attachments` app), as
    visible as what it is attached to. `content_type` is read from the file's content when it
    was uploaded, never from its name; `url` downloads it (as an attachment, never inline)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=gettext_lazy("In bytes."))
    sha256 = serializers.CharField(help_text=gettext_lazy("The file's SHA-256, in hex."))
    created_at = serializers.DateTimeField()


class PledgeRelationSerializer(serializers.Serializer):
    """A link between this pledge and another, read from this pledge's side: `supersedes` and
    `duplicate_of` are its own links, `superseded_by` and `duplicated_by` the other pledge's
    links to it. Only pledges that have been public are named (and all for the secretariat)."""

    kind = serializers.ChoiceField(
        choices=(
            ("supersedes", "supersedes"),
            ("superseded_by", "superseded_by"),
            ("duplicate_of", "duplicate_of"),
            ("duplicated_by", "duplicated_by"),
        ),
        help_text=gettext_lazy("How the other pledge relates to this one, read from this one."),
    )
    reference = serializers.CharField(help_text=gettext_lazy("The other pledge's reference."))
    url = serializers.URLField()


class TargetSerializer(serializers.Serializer):
    """A quantified target of a pledge."""

    id = serializers.IntegerField()
    metric = serializers.CharField()
    unit = serializers.ChoiceField(choices=TargetUnit.choices)
    baseline = serializers.DecimalField(**MONEY, allow_null=True)
    target_value = serializers.DecimalField(**MONEY)
    due_date = serializers.DateField(allow_null=True)


# --------------------------------------------------------------------------------------------
# The pledge
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """A key of the pledge. `export` names the export cells it gives (column → value); a
    plain value is exported under the key's name when `export` is True."""

    name: str
    value: Value
    export: bool | dict[str, Value] = False

    def cells(self) -> dict[str, Value]:
        if isinstance(self.export, dict):
            return self.export
        return {self.name: self.value} if self.export else {}


def _code_name(source: str, order: str, code: str = "code") -> Nested:
    return Nested(
        CodeNameSerializer,
        Obj(CodeNameSerializer, {"code": Sql(f"x.{code}"), "name": translated("x.name")}),
        source,
        order,
        label=f"x.{code}",
    )


ENTITY_ID = Sql("pe.public_id", "uuid")

KEYS: Sequence[Key] = (
    Key("url", Link("pledge", "pl.reference"), export=True),
    Key("reference", Column("reference"), export=True),
    Key("id", Column("public_id"), export=True),
    Key("title", Column("title"), export=True),
    Key("description", Column("description"), export=True),
    Key("language", Column("language"), export=True),
    Key(
        "translations",
        # Read with the page's pledges only, so a translation is exactly as visible as its pledge.
        Nested(
            PledgeTranslationSerializer,
            Obj(
                PledgeTranslationSerializer,
                {
                    "language": Sql("l.language"),
                    "title": Sql("l.title"),
                    "description": Sql("l.description"),
                },
            ),
            "FROM pledges_pledgetranslation l WHERE TRUE",
            "l.language",
        ),
    ),
    Key(
        "compact",
        Obj(
            CompactLinkSerializer,
            {
                "code": Sql("cc.code"),
                "name": translated("cc.name"),
                "url": Link("compact", "cc.code"),
            },
        ),
        export={"compact": Sql("cc.code")},
    ),
    Key(
        "forum",
        Obj(
            ForumLinkSerializer,
            {
                "code": Sql("ff.code"),
                "name": translated("ff.name"),
                "url": Link("forum", "ff.code"),
            },
            # Announced outside any forum (continuous pledging).
            null_when="ff.id IS NULL",
        ),
        export={"forum": Sql("ff.code")},
    ),
    Key(
        "reaffirmations",
        Nested(
            ReaffirmationSerializer,
            Obj(
                ReaffirmationSerializer,
                {
                    "forum": Obj(
                        ForumLinkSerializer,
                        {
                            "code": Sql("x.code"),
                            "name": translated("x.name"),
                            "url": Link("forum", "x.code"),
                        },
                    ),
                    "reaffirmed_on": Sql("l.reaffirmed_on", "day"),
                    "note": Sql("l.note"),
                },
            ),
            "FROM pledges_pledgereaffirmation l JOIN forums_forum x ON x.id = l.forum_id"
            " WHERE TRUE",
            "l.reaffirmed_on, l.id",
            label="x.code",
        ),
        export=True,
    ),
    Key(
        "entity",
        Obj(
            EntityLinkSerializer,
            {
                "id": ENTITY_ID,
                "name": Sql("pe.name"),
                "acronym": Sql("pe.acronym"),
                "entity_type": Sql("et.code"),
                "url": Link("entity", "pe.public_id::text"),
            },
        ),
        export={"entity": Sql("pe.name"), "entity_id": ENTITY_ID, "entity_type": Sql("et.code")},
    ),
    Key(
        "co_pledgers",
        Nested(
            CoPledgerSerializer,
            Obj(
                CoPledgerSerializer,
                {
                    "id": Sql("x.public_id", "uuid"),
                    "name": Sql("x.name"),
                    "role": Sql("l.role"),
                    "url": Link("entity", "x.public_id::text"),
                },
            ),
            # PledgeParticipant.objects.public(): accepted, of a verified entity.
            "FROM pledges_pledgeparticipant l JOIN pledges_entity x ON x.id = l.entity_id"
            " WHERE l.status = 'accepted' AND x.is_verified",
            "x.name",
            label="x.name",
        ),
        export=True,
    ),
    Key(
        "objectives",
        Nested(
            ObjectiveLinkSerializer,
            Obj(
                ObjectiveLinkSerializer,
                {
                    "id": Sql("x.id", "int"),
                    "code": Sql("c.code || '-' || x.number"),
                    "number": Sql("x.number", "int"),
                    "short_label": translated("x.short_label"),
                    "url": Link("objective", "x.id::text"),
                },
            ),
            "FROM pledges_pledge_objectives l JOIN compacts_objective x ON x.id = l.objective_id"
            " JOIN compacts_compact c ON c.id = x.compact_id WHERE TRUE",
            "c.code, x.number",
            label="c.code || '-' || x.number",
        ),
        export=True,
    ),
    Key(
        "actions",
        Nested(
            ActionLinkSerializer,
            Obj(
                ActionLinkSerializer,
                {
                    "code": Sql("c.code || '-' || o.number || '(' || x.letter || ')'"),
                    "text": translated("x.text"),
                },
            ),
            "FROM pledges_pledge_actions l JOIN compacts_objectiveaction x"
            " ON x.id = l.objectiveaction_id JOIN compacts_objective o ON o.id = x.objective_id"
            " JOIN compacts_compact c ON c.id = o.compact_id WHERE TRUE",
            "c.code, o.number, x.letter",
        ),
    ),
    Key(
        "principles",
        Nested(
            PrincipleLinkSerializer,
            Obj(
                PrincipleLinkSerializer,
                {"number": Sql("x.number", "int"), "name": translated("x.name")},
            ),
            "FROM pledges_pledge_principles l JOIN compacts_guidingprinciple x"
            " ON x.id = l.guidingprinciple_id WHERE TRUE",
            "x.number",
        ),
    ),
    Key(
        "thematic_areas",
        Nested(
            ThematicAreaLinkSerializer,
            Obj(
                ThematicAreaLinkSerializer,
                {"slug": Sql("x.slug"), "name": translated("x.name")},
            ),
            "FROM pledges_pledge_thematic_areas l JOIN compacts_thematicarea x"
            " ON x.id = l.thematicarea_id WHERE TRUE",
            "x.name",
            label="x.slug",
        ),
        export=True,
    ),
    Key(
        "support_types",
        _code_name(
            "FROM pledges_pledge_support_types l JOIN pledges_supporttype x"
            " ON x.id = l.supporttype_id WHERE TRUE",
            "x.position, x.name",
        ),
        export=True,
    ),
    Key("geography_scope", Column("geography_scope"), export=True),
    Key(
        "beneficiary_countries",
        _code_name(
            "FROM pledges_pledge_beneficiary_countries l JOIN core_country x"
            " ON x.code = l.country_id WHERE TRUE",
            "l.country_id",
        ),
        export=True,
    ),
    Key(
        "support_platform",
        Obj(
            CodeNameSerializer,
            {"code": Sql("sp.code"), "name": translated("sp.name")},
            null_when="sp.code IS NULL",
        ),
        export={"support_platform": Sql("sp.code")},
    ),
    Key("start_date", Column("start_date"), export=True),
    Key("end_date", Column("end_date"), export=True),
    Key("amount", Column("amount"), export=True),
    Key("currency", Sql("pl.currency_id", options={"allow_null": True}), export=True),
    Key("announced_on", Column("announced_on"), export=True),
    Key(
        "targets",
        Nested(
            TargetSerializer,
            Obj(
                TargetSerializer,
                {
                    "id": Sql("l.id", "int"),
                    "metric": Sql("l.metric"),
                    "unit": Sql("l.unit"),
                    "baseline": Sql("l.baseline", "money"),
                    "target_value": Sql("l.target_value", "money"),
                    "due_date": Sql("l.due_date", "day"),
                },
            ),
            "FROM pledges_pledgetarget l WHERE TRUE",
            "l.id",
        ),
    ),
    Key(
        "links",
        Nested(
            PledgeRelationSerializer,
            Obj(
                PledgeRelationSerializer,
                {
                    "kind": Sql("l.kind"),
                    "reference": Sql("x.reference"),
                    "url": Link("pledge", "x.reference"),
                },
            ),
            # Each link on both of its pledges (one branch per side, each through its own
            # index); the other pledge is named only if it has been public (a withdrawn or
            # superseded pledge's reference is in the change feed anyway), never a draft's.
            "FROM (SELECT k.source_id AS pledge_id, k.target_id AS other_id, k.kind"
            " FROM pledges_pledgelink k UNION ALL SELECT k.target_id, k.source_id,"
            " CASE k.kind WHEN 'supersedes' THEN 'superseded_by' ELSE 'duplicated_by' END"
            " FROM pledges_pledgelink k) l JOIN pledges_pledge x ON x.id = l.other_id"
            " WHERE (x.published_at IS NOT NULL OR %(secretariat)s::boolean)",
            "l.kind, x.reference",
            label="l.kind || ':' || x.reference",
        ),
        export=True,
    ),
    # The matching and partnerships apps' rows, read by table name: `pledges` never imports
    # those apps (they depend on it). Published data only, like their public pages.
    Key(
        "multistakeholder_pledges",
        Nested(
            MspMembershipLinkSerializer,
            Obj(
                MspMembershipLinkSerializer,
                {
                    "slug": Sql("x.slug"),
                    "title": translated("x.title"),
                    "role": Sql(
                        "CASE WHEN EXISTS (SELECT 1 FROM partnerships_multistakeholderlead ld"
                        " WHERE ld.msp_id = x.id AND ld.entity_id = lp.entity_id"
                        " AND ld.status = 'accepted') THEN 'lead' ELSE 'member' END"
                    ),
                    "url": Link("msp", "x.slug"),
                },
            ),
            # MultistakeholderMembership.objects.public(): accepted, of a published pledge.
            "FROM partnerships_multistakeholdermembership l"
            " JOIN partnerships_multistakeholderpledge x ON x.id = l.msp_id"
            " JOIN pledges_pledge lp ON lp.id = l.pledge_id"
            " WHERE l.state = 'accepted' AND lp.review_state = 'published'",
            "x.title, x.id",
            label="x.slug",
        ),
        export=True,
    ),
    Key(
        "support",
        # Needs and offers are part of the pledge's content: as visible as the pledge.
        Nested(
            SupportPositionSerializer,
            Obj(
                SupportPositionSerializer,
                {
                    "side": Sql("l.side"),
                    "support_type": Obj(
                        CodeNameSerializer, {"code": Sql("x.code"), "name": translated("x.name")}
                    ),
                    "amount": Sql("l.amount", "money"),
                    "currency": Sql("l.currency_id"),
                    "countries": JsonList(
                        "SELECT json_agg(c.country_id ORDER BY c.country_id)"
                        " FROM matching_supportposition_countries c"
                        " WHERE c.supportposition_id = l.id"
                    ),
                    "thematic_area": Sql(
                        "(SELECT t.slug FROM compacts_thematicarea t"
                        " WHERE t.id = l.thematic_area_id)"
                    ),
                    "description": Sql("l.description"),
                },
            ),
            "FROM matching_supportposition l JOIN pledges_supporttype x"
            " ON x.id = l.support_type_id WHERE TRUE",
            "l.side DESC, l.id",
        ),
    ),
    Key(
        "matches",
        Nested(
            AcceptedMatchSerializer,
            Obj(
                AcceptedMatchSerializer,
                {
                    "id": Sql("l.public_id", "uuid"),
                    "side": Sql("l.side"),
                    "pledge": Obj(
                        MatchedPledgeSerializer,
                        {
                            "reference": Sql("x.reference"),
                            "title": Sql("x.title"),
                            "entity": Sql("xe.name"),
                            "url": Link("pledge", "x.reference"),
                        },
                    ),
                    "accepted_at": Sql("l.accepted_at", "stamp"),
                    "url": Link("match", "l.public_id::text"),
                },
            ),
            # Match.objects.public(): accepted, both pledges published; each match is listed
            # on both of its pledges (one branch per side, each through its own index).
            "FROM (SELECT m.seeking_id AS pledge_id, m.offering_id AS other_id, 'seeks' AS side,"
            " m.public_id, m.state, GREATEST(m.seeking_decided_at, m.offering_decided_at)"
            " AS accepted_at FROM matching_match m"
            " UNION ALL SELECT m.offering_id, m.seeking_id, 'offers', m.public_id, m.state,"
            " GREATEST(m.seeking_decided_at, m.offering_decided_at) FROM matching_match m) l"
            " JOIN pledges_pledge lp ON lp.id = l.pledge_id"
            " JOIN pledges_pledge x ON x.id = l.other_id"
            " JOIN pledges_entity xe ON xe.id = x.entity_id"
            " WHERE l.state = 'accepted' AND lp.review_state = 'published'"
            " AND x.review_state = 'published'",
            "l.accepted_at, x.reference",
            label="x.reference",
        ),
        export=True,
    ),
    Key(
        "attachments",
        # The attachments app's rows, by table name: the pledge's own files (its updates' are
        # on the updates), listed with the pledge and so exactly as visible as it.
        Nested(
            AttachmentLinkSerializer,
            Obj(
                AttachmentLinkSerializer,
                {
                    "id": Sql("l.public_id", "uuid"),
                    "name": Sql("l.name"),
                    "content_type": Sql("l.content_type"),
                    "size": Sql("l.size", "int"),
                    "sha256": Sql("l.sha256"),
                    "created_at": Sql("l.created_at", "stamp"),
                    "url": Link("attachment", "l.public_id::text"),
                },
            ),
            "FROM attachments_attachment l WHERE l.update_id IS NULL",
            "l.created_at, l.id",
        ),
    ),
    Key("review_state", Column("review_state"), export=True),
    Key("implementation_status", Column("implementation_status"), export=True),
    Key("last_update_on", Column("last_update_on"), export=True),
    Key("submitted_at", Column("submitted_at")),
    Key("published_at", Column("published_at"), export=True),
    Key("created_at", Column("created_at")),
    Key("updated_at", Column("updated_at"), export=True),
    Key("version", Column("version")),
    Key("contact_name", Insider(Column("contact_name"))),
    Key("contact_email", Insider(Column("contact_email"))),
    Key(
        "updates_url",
        Link(
            "updates",
            "pl.reference",
            help=gettext_lazy("The list of this pledge's progress updates you may see."),
        ),
    ),
)

# The export's columns, in the order spreadsheets show them: what identifies a pledge first,
# its long description and link last.
EXPORT_COLUMNS = (
    "reference",
    "id",
    "title",
    "language",
    "compact",
    "forum",
    "reaffirmations",
    "entity",
    "entity_id",
    "entity_type",
    "co_pledgers",
    "objectives",
    "thematic_areas",
    "support_types",
    "geography_scope",
    "beneficiary_countries",
    "support_platform",
    "start_date",
    "end_date",
    "amount",
    "currency",
    "announced_on",
    "links",
    "multistakeholder_pledges",
    "matches",
    "review_state",
    "implementation_status",
    "last_update_on",
    "published_at",
    "updated_at",
    "description",
    "url",
)


def export_cells() -> dict[str, tuple[Key, Value]]:
    """Each export column's key and value, in `EXPORT_COLUMNS` order."""
    cells = {name: (key, value) for key in KEYS for name, value in key.cells().items()}
    if set(cells) != set(EXPORT_COLUMNS):
        differ = set(cells) ^ set(EXPORT_COLUMNS)
        raise ValueError(f"EXPORT_COLUMNS and the keys' exports differ: {differ}")
    return {name: cells[name] for name in EXPORT_COLUMNS}
