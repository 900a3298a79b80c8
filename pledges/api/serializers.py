"""Representations of entities, pledges and progress updates for the partner API.

Reading: small nested references (code or id, name, link) whose rows the views prefetch, so a
page costs the same few queries whatever its size; no field runs a query of its own. Links are
formatted from one reversed URL per resource and request (`LinkField`), not reversed per row.

Writing: the write serializers check the shape of the input and resolve the codes partners know
(`GCM`, `IMRF26`, `KE`, `USD`, objective `23` or `GCM-23`…) with one query per kind, naming each
unknown code in the error of its field. What makes a *valid pledge* (objectives of the pledge's
compact, forum of the compact, amount with a currency…) is decided by the pledge service, which
the views call with the dataclasses these serializers build.
"""

import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.api.serializers import StrictSerializer
from core.models import Country, Currency
from forums.models import Forum, ReportingRound
from pledges.api.loading import load_update_rows
from pledges.api.shape import (
    KEYS,
    MONEY,
    AttachmentLinkSerializer,
    CodeNameSerializer,
    TargetSerializer,
)
from pledges.models import (
    Entity,
    GeographyScope,
    ImplementationStatus,
    Membership,
    MembershipStatus,
    Pledge,
    PledgeUpdate,
    SupportType,
    TargetUnit,
)
from pledges.services import PledgeInput, TargetInput, UpdateInput, validate_update
from pledges.workflow import REASON_MAX_LENGTH, is_secretariat

OBJECTIVE_REF = re.compile(r"^(?:(?P<compact>[A-Za-z]{2,10})-)?(?P<number>[0-9]{1,3})$")
ACTION_REF = re.compile(
    r"^(?:(?P<compact>[A-Za-z]{2,10})-)?(?P<number>[0-9]{1,3})\(?(?P<letter>[a-z]{1,2})\)?$"
)


# --------------------------------------------------------------------------------------------
# Links and the caller's standing, computed once per request
# --------------------------------------------------------------------------------------------

PLACEHOLDER = "__key__"


def _memo(context: Mapping[str, Any]) -> MutableMapping[str, Any]:
    """Where lookups made once per request are kept: the serializer context itself, which is
    the dict the view built (the stubs type it read-only); a read-only context keeps none."""
    return context if isinstance(context, MutableMapping) else {}


def link_template(context: Mapping[str, Any], view_name: str, url_kwarg: str) -> str:
    """The absolute URL of `view_name` with a placeholder for its key, reversed once per
    request (reversing per row costs more than the rest of a row)."""
    cache = _memo(context).setdefault("_link_templates", {})
    template = cache.get(view_name)
    if template is None:
        path = reverse(view_name, kwargs={url_kwarg: PLACEHOLDER})
        request = context.get("request")
        template = request.build_absolute_uri(path) if request is not None else path
        cache[view_name] = template
    return template


def link(context: Mapping[str, Any], view_name: str, url_kwarg: str, key: Any) -> str:
    return link_template(context, view_name, url_kwarg).replace(
        PLACEHOLDER, quote(str(key), safe="")
    )


def list_url(context: Mapping[str, Any], view_name: str, **query: str) -> str:
    """The absolute URL of a list, filtered by `query`."""
    cache = _memo(context).setdefault("_link_templates", {})
    base = cache.get(view_name)
    if base is None:
        request = context.get("request")
        path = reverse(view_name)
        base = cache[view_name] = request.build_absolute_uri(path) if request else path
    return f"{base}?{urlencode(query)}"


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field):
    """The absolute URL of a resource's detail endpoint, like HyperlinkedIdentityField but
    reversed once per request. `lookup` may follow relations (`entity.public_id`)."""

    def __init__(self, view_name: str, lookup: str, url_kwarg: str | None = None) -> None:
        self.view_name = view_name
        self.lookup = lookup
        self.url_kwarg = url_kwarg or lookup
        super().__init__(source="*", read_only=True)

    def to_representation(self, value: Model) -> str:
        key: Any = value
        for attribute in self.lookup.split("."):
            key = getattr(key, attribute)
        return link(self.context, self.view_name, self.url_kwarg, key)


def own_entity_ids(context: Mapping[str, Any]) -> frozenset[int]:
    """The entities the caller acts for, looked up once per request."""
    memo = _memo(context)
    if "_own_entity_ids" not in memo:
        request = context.get("request")
        user = getattr(request, "user", None)
        ids: frozenset[int] = frozenset()
        if user is not None and user.is_authenticated:
            ids = frozenset(
                Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values_list(
                    "entity_id", flat=True
                )
            )
        memo["_own_entity_ids"] = ids
    return memo["_own_entity_ids"]


def caller_is_secretariat(context: Mapping[str, Any]) -> bool:
    memo = _memo(context)
    if "_is_secretariat" not in memo:
        request = context.get("request")
        memo["_is_secretariat"] = is_secretariat(getattr(request, "user", None))
    return memo["_is_secretariat"]


def is_insider(context: Mapping[str, Any], entity_id: int) -> bool:
    """Members of the submitting entity and the secretariat: they see what the pledge page
    shows only to them (contact details, review notes)."""
    return entity_id in own_entity_ids(context) or caller_is_secretariat(context)


def rows(obj: Any, name: str, load: Any) -> list[dict[str, Any]]:
    """A nested list loaded as plain rows (loading.py); loaded now if the view did not."""
    if not hasattr(obj, "api_rows"):
        load([obj])
    return obj.api_rows[name]


# --------------------------------------------------------------------------------------------
# Pledges: reading
# --------------------------------------------------------------------------------------------


class PledgeSerializer(serializers.Serializer):
    """A pledge as partners read it (list, detail, and the answer to every write)."""

    # The fields describe `shape.KEYS` for the OpenAPI document; the database writes the
    # pledges themselves (`reading.PledgeReader`).

    def get_fields(self) -> dict[str, serializers.Field]:
        return {key.name: key.value.schema() for key in KEYS}


# --------------------------------------------------------------------------------------------
# Pledges: writing
# --------------------------------------------------------------------------------------------


class TargetInputSerializer(StrictSerializer):
    """A quantified target; give `id` to keep and change an existing target."""

    read_back_from = TargetSerializer

    id = serializers.IntegerField(required=False, allow_null=True)
    metric = serializers.CharField(max_length=200)
    unit = serializers.ChoiceField(choices=TargetUnit.choices)
    target_value = serializers.DecimalField(**MONEY)
    baseline = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)


def _unknown(
    field: str, values: Iterable[str], message: str, **params: str
) -> serializers.ValidationError:
    """A field error naming each unknown code."""
    return serializers.ValidationError({field: [message % {"value": v, **params} for v in values]})


class PledgeWriteSerializer(StrictSerializer):
    """What a partner sends to create or change a pledge, by code.

    On a partial update (PATCH) the fields left out keep their values; on PUT and POST they
    take their defaults (empty). Lists replace what the pledge had."""

    read_back_from = PledgeSerializer

    title = serializers.CharField(max_length=300)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    # Left out, the pledge keeps its language (a new pledge: English), as PledgeInput says: a
    # client written before pledges had a language does not turn a French pledge English.
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=gettext_lazy(
            "The language the title and description are written in. Left out, an edit keeps "
            "the pledge's language and a new pledge is in English."
        ),
    )
    compact = serializers.CharField(help_text=gettext_lazy("Compact code: GCR or GCM."))
    forum = serializers.CharField(
        allow_null=True,
        help_text=gettext_lazy(
            "Code of the forum the pledge is announced at, e.g. GRF23 or IMRF26; null for a "
            "pledge announced outside any forum (then `announced_on` is required)."
        ),
    )
    announced_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "The day the pledge was announced; required without a forum, else the forum's "
            "first day by default."
        ),
    )
    entity = serializers.UUIDField(
        required=False,
        help_text=gettext_lazy(
            "The `id` of the entity pledging; may be left out by people who act for "
            "exactly one entity. Cannot change after creation."
        ),
    )
    objectives = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=50,
        help_text=gettext_lazy(
            'Objective numbers within the pledge\'s compact ([23] or ["23"]), or '
            'codes such as "GCM-23".'
        ),
    )
    actions = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            'GCM actions of the chosen objectives: "23a", "23(a)" or "GCM-23a".'
        ),
    )
    principles = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=999),
        required=False,
        max_length=20,
        help_text=gettext_lazy("GCM guiding principle numbers."),
    )
    thematic_areas = serializers.ListField(
        child=serializers.SlugField(max_length=80),
        required=False,
        max_length=50,
        help_text=gettext_lazy(
            "Thematic area codes (slugs) of the pledge's compact, e.g. education."
        ),
    )
    support_types = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Support type codes, e.g. financial, technical."),
    )
    geography_scope = serializers.ChoiceField(
        choices=GeographyScope.choices, required=False, default=GeographyScope.NATIONAL
    )
    beneficiary_countries = serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2),
        required=False,
        max_length=250,
        help_text=gettext_lazy("ISO 3166-1 alpha-2 codes, e.g. KE."),
    )
    support_platform = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=20
    )
    contact_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None)
    currency = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=3,
        default=None,
        help_text=gettext_lazy("ISO 4217 code, e.g. USD; required with an amount."),
    )
    targets = TargetInputSerializer(many=True, required=False)
    confirm_implausible = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text=gettext_lazy(
            "true confirms content that looks wrong but is right (more disbursed than pledged, "
            "a date before the pledge starts); without it such content is refused (400) with "
            "a message saying why."
        ),
    )
    version = serializers.IntegerField(
        required=False,
        write_only=True,
        help_text=gettext_lazy(
            "On updates, the `version` you read: refused (412) if the pledge changed "
            "since. `If-Match: <ETag>` does the same."
        ),
    )

    # Codes are resolved once all fields have their shape, because numbers (objectives,
    # principles) and thematic areas are looked up within the compact.
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        pledge: Pledge | None = self.context.get("pledge")
        errors: dict[str, Any] = {}  # field → its error detail, as DRF writes it
        resolved: dict[str, Any] = {}

        def attempt(name: str, resolve: Any) -> None:
            if name not in attrs:
                return
            try:
                resolved[name] = resolve(attrs[name])
            except serializers.ValidationError as error:
                # The resolvers name their field ({field: [messages]}); an error that names
                # none belongs to the field being resolved.
                if isinstance(error.detail, dict):
                    errors.update(error.detail)
                else:
                    errors[name] = error.detail

        attempt("compact", _compact)
        compact = resolved.get("compact") or (pledge.compact if pledge is not None else None)
        attempt("forum", _forum)
        attempt("entity", _entity)
        attempt("support_platform", _support_platform)
        attempt("currency", _currency)
        attempt("support_types", _support_types)
        attempt("beneficiary_countries", _countries)
        if compact is not None:
            attempt("objectives", lambda v: _objectives(v, compact))
            attempt("actions", lambda v: _actions(v, compact))
            attempt("principles", lambda v: _principles(v, compact))
            attempt("thematic_areas", lambda v: _thematic_areas(v, compact))
        if errors:
            raise serializers.ValidationError(errors)
        return {**attrs, **resolved}

    def to_input(self, *, entity: Entity | None = None) -> tuple[PledgeInput, int | None]:
        """The service input (and the expected version). On PATCH the pledge's current content
        fills what was left out."""
        data = self.validated_data
        pledge: Pledge | None = self.context.get("pledge")
        base = PledgeInput.from_pledge(pledge) if pledge is not None and self.partial else None
        values: dict[str, Any] = {}
        for name in PledgeInput.__dataclass_fields__:
            if name in data:
                values[name] = data[name]
            elif base is not None:
                values[name] = getattr(base, name)
        if "targets" in data:
            values["targets"] = [TargetInput(**t) for t in data["targets"]]
        else:
            # Left out of a PATCH: the targets stay as they are (the service keeps them).
            values["targets"] = None if base is not None else []
        if "entity" not in data:
            values["entity"] = pledge.entity if pledge is not None else entity
        return PledgeInput(**values), data.get("version")


def _compact(code: str) -> Compact:
    compact = Compact.objects.filter(code=code.strip().upper()).first()
    if compact is None:
        raise _unknown("compact", [code], _("There is no compact “%(value)s” (GCR or GCM)."))
    return compact


def _forum(code: str | None) -> Forum | None:
    if code is None:
        return None  # announced outside any forum
    forum = Forum.objects.filter(code=code.strip().upper()).first()
    if forum is None:
        raise _unknown("forum", [code], _("There is no forum with the code “%(value)s”."))
    return forum


def _entity(public_id: Any) -> Entity:
    entity = Entity.objects.filter(public_id=public_id).first()
    if entity is None:
        raise _unknown("entity", [str(public_id)], _("There is no entity with the id %(value)s."))
    return entity


def _support_platform(code: str | None) -> SupportPlatform | None:
    if not code:
        return None
    platform = SupportPlatform.objects.filter(code__iexact=code.strip()).first()
    if platform is None:
        raise _unknown("support_platform", [code], _("There is no support platform “%(value)s”."))
    return platform


def _currency(code: str | None) -> Currency | None:
    if not code:
        return None
    currency = Currency.objects.filter(code=code.strip().upper()).first()
    if currency is None:
        raise _unknown(
            "currency", [code], _("“%(value)s” is not an ISO 4217 currency code we know.")
        )
    return currency


def _by_code(
    field: str,
    model: type[Model],
    key: str,
    codes: list[str],
    message: str,
    within: dict[str, Any] | None = None,
    **params: str,
) -> list[Any]:
    """Rows for `codes` in the order given (duplicates dropped); unknown codes are named."""
    wanted = list(dict.fromkeys(codes))
    rows = model._default_manager.filter(**{f"{key}__in": wanted}, **(within or {}))
    found = {str(getattr(r, key)): r for r in rows}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise _unknown(field, missing, message, **params)
    return [found[c] for c in wanted]


def _support_types(codes: list[str]) -> list[SupportType]:
    return _by_code(
        "support_types",
        SupportType,
        "code",
        codes,
        _("There is no support type “%(value)s”."),
    )


def _countries(codes: list[str]) -> list[Country]:
    return _by_code(
        "beneficiary_countries",
        Country,
        "code",
        [c.strip().upper() for c in codes],
        _("“%(value)s” is not an ISO 3166 country code."),
    )


def _objectives(refs: list[str], compact: Compact) -> list[Objective]:
    """`23` is objective 23 of the pledge's compact; `GCR-1` names the compact explicitly (and
    the service refuses it if it is not the pledge's)."""
    wanted: list[tuple[str, str, int]] = []
    for ref in refs:
        match = OBJECTIVE_REF.match(str(ref).strip())
        if match is None:
            raise _unknown(
                "objectives", [ref], _("“%(value)s” is not an objective: write 23 or GCM-23.")
            )
        code = (match["compact"] or compact.code).upper()
        wanted.append((str(ref), code, int(match["number"])))
    rows = Objective.objects.filter(
        compact__code__in={c for _r, c, _n in wanted},
        number__in={n for _r, _c, n in wanted},
    ).select_related("compact")
    found = {(o.compact.code, o.number): o for o in rows}
    missing = [(ref, c, n) for ref, c, n in wanted if (c, n) not in found]
    if missing:
        raise serializers.ValidationError(
            {
                "objectives": [
                    _("The %(compact)s has no objective %(number)s.") % {"compact": c, "number": n}
                    for _ref, c, n in missing
                ]
            }
        )
    return list(dict.fromkeys(found[(c, n)] for _r, c, n in wanted))


def _actions(refs: list[str], compact: Compact) -> list[ObjectiveAction]:
    wanted: list[tuple[str, str, int, str]] = []
    for ref in refs:
        match = ACTION_REF.match(str(ref).strip())
        if match is None:
            raise _unknown(
                "actions", [ref], _("“%(value)s” is not an action: write 23a or GCM-23(a).")
            )
        code = (match["compact"] or compact.code).upper()
        wanted.append((str(ref), code, int(match["number"]), match["letter"]))
    rows = ObjectiveAction.objects.filter(
        objective__compact__code__in={w[1] for w in wanted},
        objective__number__in={w[2] for w in wanted},
    ).select_related("objective__compact")
    found = {(a.objective.compact.code, a.objective.number, a.letter): a for a in rows}
    missing = [ref for ref, c, n, letter in wanted if (c, n, letter) not in found]
    if missing:
        raise _unknown("actions", missing, _("There is no action “%(value)s”."))
    return list(dict.fromkeys(found[(c, n, letter)] for _r, c, n, letter in wanted))


def _principles(numbers: list[int], compact: Compact) -> list[GuidingPrinciple]:
    rows = {p.number: p for p in GuidingPrinciple.objects.filter(compact=compact)}
    missing = [n for n in numbers if n not in rows]
    if missing:
        raise serializers.ValidationError(
            {
                "principles": [
                    _("The %(compact)s has no guiding principle %(number)s.")
                    % {"compact": compact.code, "number": n}
                    for n in missing
                ]
            }
        )
    return list(dict.fromkeys(rows[n] for n in numbers))


def _thematic_areas(slugs: list[str], compact: Compact) -> list[ThematicArea]:
    return _by_code(
        "thematic_areas",
        ThematicArea,
        "slug",
        slugs,
        _("“%(value)s” is not a thematic area of the %(compact)s."),
        within={"compact": compact},
        compact=compact.code,
    )


class TransitionSerializer(StrictSerializer):
    """The reason of a review decision (required to request changes, reject or supersede; the
    submitter sees it)."""

    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, default=""
    )


# --------------------------------------------------------------------------------------------
# Entities
# --------------------------------------------------------------------------------------------


class EntitySerializer(serializers.ModelSerializer):
    """An organisation or State that pledges."""

    url = LinkField("entity-detail", "public_id", "public_id")
    id = serializers.UUIDField(source="public_id", read_only=True)
    entity_type = CodeNameSerializer(read_only=True)
    country = CodeNameSerializer(read_only=True, allow_null=True)
    pledges_url = serializers.SerializerMethodField()

    class Meta:
        model = Entity
        fields = (
            "url",
            "id",
            "name",
            "acronym",
            "entity_type",
            "country",
            "website",
            "description",
            "is_verified",
            "verified_at",
            "created_at",
            "updated_at",
            "pledges_url",
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_pledges_url(self, entity: Entity) -> str:
        """The pledges this entity stands behind (that you may see)."""
        return list_url(self.context, "pledge-list", entity=str(entity.public_id))


class EntityExportSerializer(serializers.ModelSerializer):
    """One flat row per entity for CSV/XLSX."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    entity_type = serializers.CharField(source="entity_type.code", read_only=True)
    country = serializers.CharField(source="country_id", read_only=True, allow_null=True)
    url = LinkField("entity-detail", "public_id", "public_id")

    class Meta:
        model = Entity
        fields = (
            "id",
            "name",
            "acronym",
            "entity_type",
            "country",
            "website",
            "is_verified",
            "verified_at",
            "updated_at",
            "url",
        )


# --------------------------------------------------------------------------------------------
# Progress updates
# --------------------------------------------------------------------------------------------


class PledgeLinkSerializer(serializers.ModelSerializer):
    """A pledge as nested in its progress updates."""

    url = LinkField("pledge-detail", "reference")

    class Meta:
        model = Pledge
        fields = ("reference", "title", "url")


class ActualSerializer(serializers.Serializer):
    """The achieved value of one of the pledge's targets, as of the update (cumulative)."""

    target = serializers.IntegerField()
    metric = serializers.CharField()
    unit = serializers.ChoiceField(choices=TargetUnit.choices)
    value = serializers.DecimalField(**MONEY)


class ReportingEntitySerializer(serializers.ModelSerializer):
    """The entity a progress update is attributed to: the pledge's own or a co-pledger."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    url = LinkField("entity-detail", "public_id")

    class Meta:
        model = Entity
        fields = ("id", "name", "url")


class PledgeUpdateSerializer(serializers.ModelSerializer):
    """A progress report on a pledge."""

    url = LinkField("pledge-update-detail", "public_id", "id")
    id = serializers.UUIDField(source="public_id", read_only=True)
    pledge = PledgeLinkSerializer(read_only=True)
    entity = ReportingEntitySerializer(
        read_only=True,
        help_text=gettext_lazy(
            "The reporting entity: the pledge's submitting entity or one of its co-pledgers."
        ),
    )
    round: serializers.PrimaryKeyRelatedField[ReportingRound] = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The id of the reporting round it answers (/reporting-rounds/)."),
    )
    currency = serializers.CharField(source="pledge.currency_id", read_only=True, allow_null=True)
    actuals = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    review_note = serializers.SerializerMethodField()

    class Meta:
        model = PledgeUpdate
        fields = (
            "url",
            "id",
            "pledge",
            "entity",
            "round",
            "status",
            "reported_on",
            "narrative",
            "challenges",
            "evidence_links",
            "disbursed_amount",
            "currency",
            "actuals",
            "attachments",
            "review_state",
            "reviewed_at",
            "review_note",
            "created_at",
            "updated_at",
        )

    @extend_schema_field(ActualSerializer(many=True))
    def get_actuals(self, update: PledgeUpdate) -> list[dict[str, Any]]:
        return rows(update, "actuals", load_update_rows)

    @extend_schema_field(AttachmentLinkSerializer(many=True))
    def get_attachments(self, update: PledgeUpdate) -> list[dict[str, Any]]:
        """The files attached to the update, each with its download link."""
        files = rows(update, "attachments", load_update_rows)
        stamp = serializers.DateTimeField()
        return [
            {
                **row,
                "id": str(row["id"]),
                "created_at": stamp.to_representation(row["created_at"]),
                "url": link(self.context, "attachment-download", "public_id", row["id"]),
            }
            for row in files
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_review_note(self, update: PledgeUpdate) -> str | None:
        """Why it was returned: for the submitting entity, the reporting entity (a co-pledger)
        and the secretariat only."""
        insider = is_insider(self.context, update.pledge.entity_id) or is_insider(
            self.context, update.entity_id
        )
        return update.review_note if insider else None


class PledgeUpdateExportSerializer(serializers.ModelSerializer):
    """One flat row per progress update for CSV/XLSX."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    pledge = serializers.CharField(source="pledge.reference", read_only=True)
    entity = serializers.CharField(source="entity.name", read_only=True)
    round: serializers.PrimaryKeyRelatedField[ReportingRound] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    disbursed_amount = serializers.DecimalField(**MONEY, coerce_to_string=False, read_only=True)
    currency = serializers.CharField(source="pledge.currency_id", read_only=True, allow_null=True)
    evidence_links = serializers.SerializerMethodField()
    url = LinkField("pledge-update-detail", "public_id", "id")

    class Meta:
        model = PledgeUpdate
        fields = (
            "id",
            "pledge",
            "entity",
            "round",
            "status",
            "reported_on",
            "narrative",
            "challenges",
            "evidence_links",
            "disbursed_amount",
            "currency",
            "review_state",
            "reviewed_at",
            "updated_at",
            "url",
        )

    def get_evidence_links(self, update: PledgeUpdate) -> str:
        return " ".join(update.evidence_links or [])


class ActualInputSerializer(StrictSerializer):
    read_back_from = ActualSerializer

    target = serializers.IntegerField(
        help_text=gettext_lazy("The `id` of one of the pledge's targets.")
    )
    value = serializers.DecimalField(
        **MONEY, help_text=gettext_lazy("Achieved so far (cumulative).")
    )


class PledgeUpdateWriteSerializer(StrictSerializer):
    """A progress report as a partner sends it. `pledge` is needed on /pledge-updates/ and
    implied on /pledges/{reference}/updates/."""

    read_back_from = PledgeUpdateSerializer

    pledge = serializers.CharField(
        required=False,
        max_length=20,
        help_text=gettext_lazy("The pledge's reference, e.g. GRF23-00042."),
    )
    status = serializers.ChoiceField(choices=ImplementationStatus.choices)
    narrative = serializers.CharField(max_length=20000)
    reported_on = serializers.DateField()
    challenges = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20000
    )
    evidence_links = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list, max_length=20
    )
    disbursed_amount = serializers.DecimalField(
        **MONEY, required=False, allow_null=True, default=None
    )
    actuals = ActualInputSerializer(many=True, required=False, default=list)
    round: serializers.PrimaryKeyRelatedField[ReportingRound] = serializers.PrimaryKeyRelatedField(
        queryset=ReportingRound.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "The id of an open reporting round of the pledge's compact that this update answers."
        ),
    )
    confirm_implausible = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text=gettext_lazy(
            "true confirms content that looks wrong but is right (more disbursed than pledged, "
            "a date before the pledge starts); without it such content is refused (400) with "
            "a message saying why."
        ),
    )
    entity = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "The id of the entity you report for, when you act for several on this pledge "
            "(its submitting entity or an accepted co-pledger); by default the first of them."
        ),
    )

    def validate_entity(self, public_id: Any) -> Entity | None:
        if public_id is None:
            return None
        entity = Entity.objects.filter(public_id=public_id).first()
        if entity is None:
            raise serializers.ValidationError(_("There is no entity with this id."))
        return entity

    def reporting_entity(self) -> Entity | None:
        return self.validated_data.get("entity")

    def validate_pledge(self, reference: str) -> Pledge:
        request = self.context.get("request")
        pledge = (
            Pledge.objects.visible_to(getattr(request, "user", None))
            .filter(reference=reference.strip().upper())
            .first()
        )
        if pledge is None:
            raise serializers.ValidationError(
                _("There is no pledge %(reference)s that you can see.") % {"reference": reference}
            )
        return pledge

    def validate_actuals(self, actuals: list[dict[str, Any]]) -> list[dict[str, Any]]:
        targets = [a["target"] for a in actuals]
        if len(targets) != len(set(targets)):
            raise serializers.ValidationError(_("Give each target at most one value."))
        return actuals

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "pledge" not in attrs and self.context.get("pledge") is None:
            raise serializers.ValidationError(
                {"pledge": [_("Say which pledge this update is about (its reference).")]}
            )
        return attrs

    def target_pledge(self) -> Pledge:
        return self.validated_data.get("pledge") or self.context["pledge"]

    def to_internal_value(self, data: Any) -> Any:
        # All errors in one answer: when a field fails, the rules across fields (checked by the
        # service) run too on the fields that passed, so that a client fixes everything at once.
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict) and isinstance(data, Mapping):
                failed = set(error.detail)
                for name, messages in self._rule_errors(data).items():
                    if name not in failed:
                        error.detail[name] = [ErrorDetail(m, code="invalid") for m in messages]
            raise

    def _rule_errors(self, data: Mapping[str, Any]) -> dict[str, list[str]]:
        """The service's messages about the fields that are valid on their own."""
        values: dict[str, Any] = {}
        for name, field_ in self.fields.items():
            if field_.read_only or name not in data:
                continue
            try:
                value = field_.run_validation(data[name])
                check = getattr(self, f"validate_{name}", None)
                values[name] = check(value) if check is not None else value
            except (serializers.ValidationError, DjangoValidationError):
                continue
        pledge = values.get("pledge") or self.context.get("pledge")
        if pledge is None:
            return {}
        content = UpdateInput(
            status=values.get("status") or ImplementationStatus.IN_PROGRESS,
            narrative=values.get("narrative") or "-",
            reported_on=values.get("reported_on") or timezone.localdate(),
            challenges=values.get("challenges") or "",
            evidence_links=list(values.get("evidence_links") or ()),
            disbursed_amount=values.get("disbursed_amount"),
            actuals={a["target"]: a["value"] for a in values.get("actuals") or ()},
            round=values.get("round"),
            confirm_implausible=bool(values.get("confirm_implausible")),
        )
        try:
            validate_update(pledge, content)
        except DjangoValidationError as error:
            return error.message_dict
        return {}

    def to_input(self) -> UpdateInput:
        data = self.validated_data
        return UpdateInput(
            status=data["status"],
            narrative=data["narrative"],
            reported_on=data["reported_on"],
            challenges=data["challenges"],
            evidence_links=list(data["evidence_links"]),
            disbursed_amount=data["disbursed_amount"],
            actuals={a["target"]: a["value"] for a in data["actuals"]},
            round=data.get("round"),
            confirm_implausible=data["confirm_implausible"],
        )
