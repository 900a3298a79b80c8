"""The matches of the partner API (`/api/v1/matches/`), registered in `config/api.py`.

Reads start from `Match.objects.visible_to(user)`: accepted matches between published pledges
for everybody, every match of one's own entities' pledges, all of them for the secretariat.
Writes are `matching.services` calls: POST the list to propose, POST `accept`, `decline` or
`withdraw` on a match (each honouring If-Match). Refusals take the API's one error shape:
field errors 400, 403, 409 for a match no longer open, 412 for a stale If-Match.
"""

from collections.abc import Callable
from typing import Any, TypeVar

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from changefeed.api.removed import RemovedMixin
from changefeed.models import Resource
from core.api.conditional import ConditionalMixin, etag_for
from core.api.exports import ExportMixin
from core.api.schema import ApiSchema
from core.api.serializers import StrictSerializer
from pledges.api import examples as ex
from pledges.api.serializers import link
from pledges.api.views import FILTERS, IF_MATCH, _caller
from pledges.models import Pledge

from . import services
from .models import Match, MatchState
from .services import MESSAGE_MAX_LENGTH


class DecisionSerializer(serializers.Serializer):
    """One side's answer (who answered is not published: an entity answers, not a person)."""

    decision = serializers.CharField(help_text=_("`accepted`, `declined`, or empty while open."))
    decided_at = serializers.DateTimeField(allow_null=True)
    message = serializers.CharField()


class MatchSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=MatchState.choices)
    seeking = serializers.CharField(source="seeking.reference", help_text=_("Reference."))
    offering = serializers.CharField(source="offering.reference", help_text=_("Reference."))
    proposed_by_entity = serializers.SerializerMethodField(
        help_text=_("The proposing entity's id; null when the secretariat proposed.")
    )
    proposed_at = serializers.DateTimeField(source="created_at")
    message = serializers.CharField()
    seeking_decision = serializers.SerializerMethodField()
    offering_decision = serializers.SerializerMethodField()
    closed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_url(self, match: Match) -> str:
        return link(self.context, "match-detail", "id", match.public_id)

    def get_proposed_by_entity(self, match: Match) -> str | None:
        entity = match.proposed_for
        return None if entity is None else str(entity.public_id)

    def _decision(self, match: Match, side: str) -> dict[str, Any]:
        decided_at = getattr(match, f"{side}_decided_at")
        return {
            "decision": getattr(match, f"{side}_decision"),
            "decided_at": None if decided_at is None else decided_at.isoformat(),
            "message": getattr(match, f"{side}_message"),
        }

    @extend_schema_field(DecisionSerializer)
    def get_seeking_decision(self, match: Match) -> dict[str, Any]:
        return self._decision(match, "seeking")

    @extend_schema_field(DecisionSerializer)
    def get_offering_decision(self, match: Match) -> dict[str, Any]:
        return self._decision(match, "offering")


class ProposeSerializer(StrictSerializer):
    seeking = serializers.CharField(max_length=20, help_text=_("Reference of the seeking pledge."))
    offering = serializers.CharField(
        max_length=20, help_text=_("Reference of the offering pledge.")
    )
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH, default=""
    )

    def _pledge(self, reference: str) -> Pledge:
        user = self.context["request"].user
        # Only pledges the caller may see can be named: a reference never reveals a draft.
        found = Pledge.objects.visible_to(user).filter(reference=reference.strip().upper()).first()
        if found is None:
            raise serializers.ValidationError(_("No pledge with that reference."))
        return found

    def validate_seeking(self, value: str) -> Pledge:
        return self._pledge(value)

    def validate_offering(self, value: str) -> Pledge:
        return self._pledge(value)


class MessageSerializer(StrictSerializer):
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH, default=""
    )


class MatchFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(
        choices=MatchState.choices, help_text=_("Repeat to OR several.")
    )
    pledge = django_filters.CharFilter(
        method="filter_pledge",
        max_length=20,
        help_text=_("A pledge's reference: its matches, on either side."),
    )

    class Meta:
        model = Match
        fields: list[str] = []

    def filter_pledge(self, queryset: QuerySet[Match], name: str, value: str) -> QuerySet:
        reference = value.strip().upper()
        return queryset.filter(Q(seeking__reference=reference) | Q(offering__reference=reference))


ANSWER_TEXT = {
    "accept": _(
        "By a member of either pledge's entity, on a proposed match (409 otherwise): its side "
        "accepts. The match becomes `accepted` once both sides have. Honours `If-Match`."
    ),
    "decline": _(
        "By a member of either pledge's entity, on a proposed match (409 otherwise): the match "
        "becomes `declined`. Honours `If-Match`."
    ),
    "withdraw": _(
        "By the proposer (the proposing entity's members, or the secretariat when it "
        "proposed), on a proposed match (409 otherwise). Honours `If-Match`."
    ),
}


# A view's action, as the schema decorator hands it back.
Action = TypeVar("Action", bound=Callable[..., Response])


def _answer_schema(name: str) -> Callable[[Action], Action]:
    return extend_schema(
        summary=_("Answer a match") if name != "withdraw" else _("Withdraw a proposal"),
        description=ANSWER_TEXT[name],
        request=MessageSerializer,
        parameters=[IF_MATCH],
        responses={200: MatchSerializer},
        examples=[*ex.errors_for(403, 409)],
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("List matches"),
        description=_(
            "Matches between a pledge that seeks support and one that offers it. Everybody "
            "sees accepted matches between published pledges; members also see every "
            "match of their entities' pledges, the secretariat all. Filter by `state` and "
            "`pledge` (reference). Cursor-paginated (`next`/`previous` links), newest first "
            "unless `ordering` says otherwise; answers carry an ETag (`If-None-Match` gives "
            "304 when nothing changed)."
        ),
    ),
    retrieve=extend_schema(
        summary=_("One match, by its id"),
        description=_("404 if it does not exist or you may not see it."),
    ),
    create=extend_schema(
        summary=_("Propose a match"),
        description=_(
            "By a member of either pledge's entity (its side accepts by proposing) or the "
            "secretariat (both sides then answer). Both pledges must be published; the "
            "seeking one must say what it seeks and the offering one what it offers; a pair "
            "has at most one open match. The other side's members are e-mailed."
        ),
        request=ProposeSerializer,
        responses={201: MatchSerializer},
        examples=[*ex.errors_for(400, 403)],
    ),
)
class MatchViewSet(
    RemovedMixin,
    ConditionalMixin,
    ExportMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Two-sided matches: read what you may see (`?format=csv|xlsx` downloads the filtered
    list, as every list of the API), propose, answer, withdraw."""

    queryset = Match.objects.none()  # for the schema; requests use get_queryset
    feed_resource = Resource.MATCH
    serializer_class = MatchSerializer
    filterset_class = MatchFilter
    filter_backends = FILTERS
    permission_classes = (IsAuthenticatedOrReadOnly,)
    schema = ApiSchema()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    ordering = ("-id",)
    ordering_fields = ("id", "created_at", "updated_at")
    export_basename = "matches"

    def get_queryset(self) -> QuerySet[Match]:
        return Match.objects.visible_to(self.request.user).select_related(
            "seeking", "offering", "proposed_for"
        )

    def _answer(self, match: Match, status_code: int = status.HTTP_200_OK) -> Response:
        data = self.represent(match)
        headers = {"ETag": etag_for(data)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = data["url"]
        return Response(data, status=status_code, headers=headers)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProposeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        match = services.propose_match(
            seeking=data["seeking"],
            offering=data["offering"],
            by=_caller(request),
            message=data["message"],
        )
        return self._answer(self._fresh(match), status.HTTP_201_CREATED)

    def _fresh(self, match: Match) -> Match:
        return self.get_queryset().get(pk=match.pk)

    def _act(self, request: Request, name: str) -> Response:
        match = self.get_object()
        self.check_if_match(match)
        serializer = MessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = serializer.validated_data["message"]
        by = _caller(request)
        if name == "withdraw":
            services.withdraw_match(match=match, by=by, message=message)
        else:
            services.decide_match(match=match, accept=name == "accept", by=by, message=message)
        return self._answer(self._fresh(match))

    @_answer_schema("accept")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, id: str) -> Response:
        return self._act(request, "accept")

    @_answer_schema("decline")
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, id: str) -> Response:
        return self._act(request, "decline")

    @_answer_schema("withdraw")
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, id: str) -> Response:
        return self._act(request, "withdraw")
