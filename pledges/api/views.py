"""The partner API for entities, pledges and progress updates (`/api/v1/…`).

Thin viewsets: every queryset starts from the model's `visible_to(user)`,
serializers check shapes and resolve codes, and every write is a call to `pledges.services`,
whose refusals become the API's one error shape (core.api.errors): ValidationError → 400,
PermissionDenied → 403, TransitionNotAllowed → 409, StaleVersion → 412.

Lists are cursor-paginated on an explicit column (`ordering`), never counted, and load their
nested objects with a fixed number of queries whatever the page size (tests assert it).
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from changefeed.api.removed import RemovedMixin
from changefeed.models import Resource
from core.api.conditional import ConditionalMixin, etag_for
from core.api.exports import ExportMixin, csv_download_of_lines
from core.api.filters import StrictFilterBackend
from core.api.hxl import wants_hxl
from core.api.schema import ApiSchema
from core.api.viewsets import ReadOnlyResourceViewSet, ResourceViewSet
from pledges import services
from pledges.models import Entity, Membership, MembershipStatus, Pledge, PledgeUpdate
from pledges.workflow import PLEDGE_TRANSITIONS, UPDATE_TRANSITIONS, can_edit, is_secretariat

from . import examples as ex
from .filters import EntityFilter, PledgeApiFilter, PledgeUpdateFilter
from .loading import LoadedInChunks, load_update_rows
from .reading import PledgeReader
from .serializers import (
    EntityExportSerializer,
    EntitySerializer,
    PledgeSerializer,
    PledgeUpdateExportSerializer,
    PledgeUpdateSerializer,
    PledgeUpdateWriteSerializer,
    PledgeWriteSerializer,
    TransitionSerializer,
    link,
)
from .shape import EXPORT_COLUMNS

# Review actions are POSTs that honour If-Match like PUT and PATCH (which the shared schema
# documents by itself).
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=gettext_lazy(
        "The ETag you read: the action is refused with 412 if the resource changed since."
    ),
)
# The OpenAPI document is read in the caller's language (`/api/schema/?lang=fr` or
# Accept-Language): its texts are lazy, translated when the document is written.
CURSOR_NOTE = gettext_lazy(
    "Cursor-paginated (`next`/`previous` links; `page_size` up to 500): pages stay stable "
    "while rows are added. No total is counted. `?format=csv` or `?format=xlsx` downloads "
    "every row the same filters select, streamed. Answers carry an ETag; send "
    "`If-None-Match` to get 304 when nothing changed (`If-Modified-Since` is not honoured on "
    "lists: a date cannot show a row that left the list)."
)


def with_cursor_note(description: Any) -> Any:
    """A list's description followed by what every cursor-paginated list does."""
    return format_lazy("{} {}", description, CURSOR_NOTE)


class StrictOrderingFilter(OrderingFilter):
    """`ordering` over the view's `ordering_fields` only: an unknown field answers 400 instead
    of being ignored, and the primary key breaks ties so that cursor pages never overlap."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> Any:
        raw = request.query_params.get(self.ordering_param)
        if raw:
            fields = [f.strip() for f in raw.split(",") if f.strip()]
            valid = self.remove_invalid_fields(queryset, fields, view, request)
            if len(valid) != len(fields) or not fields:
                allowed = ", ".join(getattr(view, "ordering_fields", ()))
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            _("Order by one of: %(fields)s (prefix “-” for descending).")
                            % {"fields": allowed}
                        ]
                    }
                )
        ordering = list(super().get_ordering(request, queryset, view) or ())
        if ordering and ordering[0].lstrip("-") not in {"id", "pk"}:
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return ordering


FILTERS = (StrictFilterBackend, StrictOrderingFilter)


def _own_entities(user: Any) -> list[Entity]:
    return [
        m.entity
        for m in Membership.objects.filter(
            user=user, status=MembershipStatus.ACTIVE
        ).select_related("entity")
    ]


# --------------------------------------------------------------------------------------------
# Entities
# --------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List entities"),
        description=with_cursor_note(
            gettext_lazy(
                "Organisations and States that pledge. Everyone sees verified entities; "
                "members also see their own unverified ones, the secretariat all. Filter by "
                "`entity_type`, `country` (ISO), `region` (M49), `is_verified`, `search`, "
                "`updated_since`, and through their pledges by `compact`, `forum`, `objective`, "
                "`thematic_area` (entities that submitted a pledge you can see that matches)."
            )
        ),
        examples=[ex.example("A page of entities", ex.page(ex.ENTITY), response_only=True)],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One entity, by its id"),
        description=gettext_lazy("`pledges_url` lists the pledges it stands behind."),
        responses={200: EntitySerializer},
        examples=[ex.example("An entity", ex.ENTITY, response_only=True)],
    ),
)
class EntityViewSet(RemovedMixin, ReadOnlyResourceViewSet):
    feed_resource = Resource.ENTITY
    """Entities, read-only: they are registered and verified on the web."""

    serializer_class = EntitySerializer
    filterset_class = EntityFilter
    filter_backends = FILTERS
    lookup_field = "public_id"
    ordering = ("name",)
    ordering_fields = ("name", "id", "created_at", "updated_at")
    export_basename = "entities"

    def get_queryset(self) -> QuerySet[Entity]:
        return Entity.objects.visible_to(self.request.user).select_related("entity_type", "country")

    def export_serializer_class(self) -> Any:
        return EntityExportSerializer


# --------------------------------------------------------------------------------------------
# Pledges
# --------------------------------------------------------------------------------------------


def _caller(request: Request) -> User:
    """The user of a write, which only a signed-in user reaches (IsAuthenticatedOrReadOnly):
    `core.http.signed_in_user` for DRF's Request. Anonymous here means a missing check."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.PermissionDenied
    return user


# A view's action, as the schema decorators hand it back.
Action = TypeVar("Action", bound=Callable[..., Response])


class LoadsRows:
    """Loads the nested lists (loading.py) of whatever the view is about to serialize: the
    page of a list, the object of a detail, and each chunk of an export."""

    load_rows: Any = staticmethod(lambda objects: objects)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]  # a mixin: the viewset's
        return None if page is None else self.load_rows(page)

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]  # a mixin: the viewset's
        self.load_rows([obj])
        return obj

    def export_rows(self, queryset: Any, serializer: Any) -> Any:
        return super().export_rows(  # type: ignore[misc]  # a mixin: ExportMixin's
            LoadedInChunks(queryset, self.load_rows), serializer
        )


# The texts of the review actions' schema, lazy like the rest of the OpenAPI document. States
# are named by their API codes (`submitted`), which are the same in every language.
WHO = {
    "secretariat": gettext_lazy("the secretariat"),
    "member": gettext_lazy("a member of the submitting entity"),
}
TRANSITION_TEXT = gettext_lazy(
    "Taken by {who}, from {sources}, to {target}. Answers the pledge as it now is, with its new "
    "ETag. Refused with 409 from any other state, 403 for anyone else, 412 if `If-Match` is "
    "stale."
)
REASON_REQUIRED = gettext_lazy("A `reason` is required; the submitter sees it.")
REASON_OPTIONAL = gettext_lazy("`reason` is optional.")


def _action_summary(label: Any, name: str) -> Any:
    """`Publish (publish)`: the action's label in the reader's language, then its path."""
    return format_lazy("{} ({})", label, name.replace("_", "-"))


def _transition_schema(name: str) -> Callable[[Action], Action]:
    """The schema of one review action (summary, description, examples, errors)."""
    transition = PLEDGE_TRANSITIONS[name]
    request_example = (
        {"reason": "Please name the beneficiary countries and the end date."}
        if transition.needs_reason
        else {}
    )
    return extend_schema(
        summary=_action_summary(transition.label, name),
        description=format_lazy(
            "{} {}",
            format_lazy(
                TRANSITION_TEXT,
                who=WHO[transition.actor],
                sources=", ".join(f"`{state}`" for state in sorted(transition.sources)),
                target=f"`{transition.target}`",
            ),
            REASON_REQUIRED if transition.needs_reason else REASON_OPTIONAL,
        ),
        request=TransitionSerializer,
        parameters=[IF_MATCH],
        responses={200: PledgeSerializer},
        examples=[
            ex.example("Request", request_example, request_only=True),
            ex.example("The pledge after the decision", ex.PLEDGE, response_only=True),
            *ex.errors_for(409),
            *(
                []
                if not transition.needs_reason
                else [
                    OpenApiExample(
                        "Reason missing",
                        value=ex.REASON_MISSING,
                        response_only=True,
                        status_codes=["400"],
                    )
                ]
            ),
        ],
    )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List pledges"),
        description=with_cursor_note(
            gettext_lazy(
                "Anonymous callers and partners see published pledges; members also see their "
                "entity's drafts and pledges they are invited to; the secretariat sees every "
                "pledge. Filters mean what they mean in the public browser: `compact=GCM`, "
                "`objective=GCM-23` or `compact=GCM&objective=23` (the number within the compact;"
                " `objective_id` takes ids), `forum=GRF23`, `entity=<id>`, `entity_type=state`, "
                "`implementation_status` (`none` = no approved update yet), `review_state`, "
                "`country=KE`, `region=002`, `support_platform=MIRPS`, `thematic_area=education`,"
                " `support_type=financial`, `updated_since=2025-01-01`, `search=schools`. Repeat "
                "a parameter to OR values; different parameters are ANDed. An unknown parameter "
                "or a bad value answers 400. Order with `ordering` (default `-id`, newest first)."
            )
        ),
        examples=[
            ex.example("A page of pledges", ex.page(ex.PLEDGE), response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One pledge, by reference"),
        description=gettext_lazy(
            "404 if it does not exist or you may not see it. Contact details are "
            "shown to the submitting entity and the secretariat only. The ETag changes with "
            "every change of the pledge; send it back in `If-Match` when you write. Names of "
            "compacts, forums, objectives and other reference data are in the language of "
            "`Accept-Language`."
        ),
        responses={200: PledgeSerializer},
        examples=[
            ex.example("A published pledge", ex.PLEDGE, response_only=True),
            *ex.errors_for(404),
        ],
    ),
    create=extend_schema(
        summary=gettext_lazy("Create a draft pledge"),
        description=gettext_lazy(
            "For an entity you act for (`entity` may be left out if you act for "
            "exactly one). A draft may be incomplete but never contradictory: objectives must be "
            "of the compact, the forum of the compact, an amount needs a currency, and so on; "
            "each problem is reported on its field. The reference is assigned from the forum. "
            "Submit it with `POST /pledges/{reference}/submit/`."
        ),
        request=PledgeWriteSerializer,
        responses={201: PledgeSerializer},
        examples=[
            ex.example("A new draft", ex.PLEDGE_WRITE, request_only=True),
            ex.example("The draft created", ex.DRAFT, response_only=True, status_codes=["201"]),
            *ex.errors_for(400, 403),
        ],
    ),
    update=extend_schema(
        summary=gettext_lazy("Replace a pledge's content"),
        description=gettext_lazy(
            "Drafts and pledges returned for changes, by their entity's members (the "
            "secretariat may correct any open pledge). Fields left out take their defaults. Send "
            "the ETag you read in `If-Match` (or the `version`): if the pledge changed since, the "
            "write is refused with 412 and nothing changes."
        ),
        request=PledgeWriteSerializer,
        responses={200: PledgeSerializer},
        examples=[
            ex.example("New content", ex.PLEDGE_WRITE, request_only=True),
            ex.example("The pledge saved", ex.DRAFT, response_only=True),
            *ex.errors_for(400, 403, 404, 412),
        ],
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change some fields of a pledge"),
        description=gettext_lazy(
            "As PUT, but fields left out keep their values; a list given replaces the "
            "pledge's list (e.g. `objectives`). Honours `If-Match` (412 when stale)."
        ),
        request=PledgeWriteSerializer,
        responses={200: PledgeSerializer},
        examples=[
            ex.example(
                "Change the amount",
                {"amount": "300000.00", "currency": "USD"},
                request_only=True,
            ),
            ex.example("The pledge saved", ex.DRAFT, response_only=True),
            *ex.errors_for(400, 403, 404, 412),
        ],
    ),
)
class PledgeViewSet(RemovedMixin, ResourceViewSet):
    """Pledges: read what you may see; create and edit drafts and take review actions through
    the pledge services."""

    queryset = Pledge.objects.none()  # for the schema; requests use get_queryset
    serializer_class = PledgeSerializer
    filterset_class = PledgeApiFilter
    filter_backends = FILTERS
    permission_classes = (IsAuthenticatedOrReadOnly,)
    lookup_field = "reference"
    feed_resource = Resource.PLEDGE
    ordering = ("-id",)
    ordering_fields = ("id", "reference", "created_at", "updated_at")
    export_basename = "pledges"
    http_method_names = ("get", "post", "put", "patch", "head", "options")

    def get_queryset(self) -> QuerySet[Pledge]:
        return Pledge.objects.visible_to(self.request.user)

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "update", "partial_update"):
            return PledgeWriteSerializer
        if self.action == "updates":
            return PledgeUpdateWriteSerializer
        if self.action in TRANSITION_ACTIONS:
            return TransitionSerializer
        return PledgeSerializer

    # --- reads -------------------------------------------------------------------------------
    # The database writes the pledges from their one definition (shape.py, reading.py); the
    # filters, ordering, the cursor, permissions and ETags stay DRF's.

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        fmt = getattr(request.accepted_renderer, "format", None)
        if fmt == "csv":  # written by the database (reading.py)
            hxl = wants_hxl(request)
            reader = PledgeReader(self.get_serializer_context())
            lines = reader.csv_lines(self.filter_queryset(self.get_queryset()))
            return csv_download_of_lines(self.export_basename, EXPORT_COLUMNS, lines, hxl=hxl)
        if fmt == "xlsx":
            return super().list(request, *args, **kwargs)
        reader = PledgeReader(self.get_serializer_context())
        rows = reader.page(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        if page is None:  # no paginator: every row, as DRF's list answers
            return Response(reader.represent(list(rows)))
        return self.get_paginated_response(reader.represent(page))

    def represent(self, obj: Pledge) -> Any:
        return PledgeReader(self.get_serializer_context()).by_ids([obj.pk])[0]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.represent(self.get_object()))

    def current_etags(self, obj: Pledge) -> Iterator[str]:
        """The pledge's ETag as read in each of our languages, the request's first: its labels
        differ by language, the pledge does not (an editor who read it in French may write
        without the header)."""
        yield self.current_etag(obj)
        active = translation.get_language()
        for language, _name in settings.LANGUAGES:
            if language != active:
                with translation.override(language):
                    yield self.current_etag(obj)

    def export_table(self, queryset: Any) -> tuple[Sequence[str], Iterator[dict[str, Any]]]:
        reader = PledgeReader(self.get_serializer_context())
        return EXPORT_COLUMNS, reader.export_rows(queryset)

    # --- answers -----------------------------------------------------------------------------

    def _answer(self, pledge: Pledge, status_code: int = status.HTTP_200_OK) -> Response:
        """The pledge as a GET now shows it, with the ETag a GET would carry."""
        data = self.represent(pledge)
        headers = {"ETag": etag_for(data)}
        if status_code == status.HTTP_201_CREATED:
            context = self.get_serializer_context()
            headers["Location"] = link(context, "pledge-detail", "reference", pledge.reference)
        return Response(data, status=status_code, headers=headers)

    # --- create and edit ---------------------------------------------------------------------

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(self._create_pledge(serializer), status.HTTP_201_CREATED)

    def _create_pledge(self, serializer: Any) -> Pledge:
        data, _version = serializer.to_input(entity=self._default_entity(serializer))
        return services.create_pledge(data=data, by=_caller(self.request))

    def _default_entity(self, serializer: Any) -> Entity | None:
        """The caller's entity when they act for exactly one and named none."""
        if "entity" in serializer.validated_data:
            return None
        own = _own_entities(self.request.user)
        if len(own) == 1:
            return own[0]
        if not own and not is_secretariat(self.request.user):
            raise exceptions.PermissionDenied(
                _("You can create pledges only for entities you act for.")
            )
        raise exceptions.ValidationError(
            {"entity": [_("Say which entity this pledge is for: give its id.")]}
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        pledge = self.get_object()
        # Who may edit is the workflow's rule; asked first so that a refusal does not depend
        # on what was sent.
        if not can_edit(pledge, request.user):
            raise exceptions.PermissionDenied(_("You cannot edit this pledge now."))
        self.check_if_match(pledge)
        serializer = PledgeWriteSerializer(
            data=request.data,
            partial=partial,
            context={**self.get_serializer_context(), "pledge": pledge},
        )
        serializer.is_valid(raise_exception=True)
        return self._answer(self._update_pledge(serializer))

    def _update_pledge(self, serializer: Any) -> Pledge:
        pledge: Pledge = serializer.context["pledge"]
        data, version = serializer.to_input()
        # The version the If-Match was checked against (or the one the client sent): if
        # somebody saves in between, the service refuses with StaleVersion (412).
        expected = version if version is not None else pledge.version
        return services.update_pledge(
            pledge=pledge, data=data, by=_caller(self.request), expected_version=expected
        )

    # --- review actions ----------------------------------------------------------------------

    def _transition(self, request: Request, name: str) -> Response:
        pledge = self.get_object()
        self.check_if_match(pledge)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.transition_pledge(
            pledge=pledge,
            action=name,
            by=_caller(request),
            reason=serializer.validated_data["reason"],
        )
        return self._answer(pledge)

    @_transition_schema("submit")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, reference: str) -> Response:
        return self._transition(request, "submit")

    @_transition_schema("resubmit")
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, reference: str) -> Response:
        return self._transition(request, "resubmit")

    @_transition_schema("withdraw")
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, reference: str) -> Response:
        return self._transition(request, "withdraw")

    @_transition_schema("publish")
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, reference: str) -> Response:
        return self._transition(request, "publish")

    @_transition_schema("request_changes")
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, reference: str) -> Response:
        return self._transition(request, "request_changes")

    @_transition_schema("reject")
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, reference: str) -> Response:
        return self._transition(request, "reject")

    @_transition_schema("supersede")
    @action(detail=True, methods=["post"])
    def supersede(self, request: Request, reference: str) -> Response:
        return self._transition(request, "supersede")

    # --- progress updates --------------------------------------------------------------------

    @extend_schema(
        summary=gettext_lazy("Report progress on this pledge"),
        description=gettext_lazy(
            "The same as `POST /pledge-updates/` with this pledge: by a member of the "
            "submitting entity, on a published pledge (409 otherwise). The update waits for the "
            "secretariat's review; only approved updates are public. List the pledge's updates "
            "at `updates_url`."
        ),
        request=PledgeUpdateWriteSerializer,
        responses={201: PledgeUpdateSerializer},
        examples=[
            ex.example(
                "A progress report",
                {k: v for k, v in ex.UPDATE_WRITE.items() if k != "pledge"},
                request_only=True,
            ),
            ex.example("The update created", ex.UPDATE, response_only=True, status_codes=["201"]),
            *ex.errors_for(400, 403, 409),
        ],
    )
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, reference: str) -> Response:
        pledge = self.get_object()
        return _create_update(self, request, pledge)


TRANSITION_ACTIONS = frozenset(
    {"submit", "resubmit", "withdraw", "publish", "request_changes", "reject", "supersede"}
)


# --------------------------------------------------------------------------------------------
# Progress updates
# --------------------------------------------------------------------------------------------


def _updates_with_data(queryset: QuerySet[PledgeUpdate]) -> QuerySet[PledgeUpdate]:
    """Updates with the little of their pledge they show, in one query (actuals are loaded
    per page by `loading.load_update_rows`)."""
    return queryset.select_related("pledge", "entity").only(
        *(f.name for f in PledgeUpdate._meta.concrete_fields if f.name not in {"pledge", "entity"}),
        "entity__public_id",
        "entity__name",
        "pledge__reference",
        "pledge__title",
        "pledge__currency_id",
        "pledge__entity_id",
    )


def _create_update(view: Any, request: Request, pledge: Pledge | None) -> Response:
    """Validate a progress report, submit it through the service, answer 201."""
    serializer = PledgeUpdateWriteSerializer(
        data=request.data, context={**view.get_serializer_context(), "pledge": pledge}
    )
    serializer.is_valid(raise_exception=True)
    update = services.submit_update(
        pledge=serializer.target_pledge(),
        data=serializer.to_input(),
        by=_caller(request),
        entity=serializer.reporting_entity(),
    )
    fresh = _updates_with_data(PledgeUpdate.objects.filter(pk=update.pk)).get()
    data = PledgeUpdateSerializer(fresh, context=view.get_serializer_context()).data
    return Response(
        data,
        status=status.HTTP_201_CREATED,
        headers={"Location": data["url"], "ETag": etag_for(data)},
    )


REVIEW_TEXT = {
    "approve": gettext_lazy(
        "Secretariat only (403 for anyone else), on a pending update (409 once reviewed). "
        "Approval makes it count: the pledge's implementation status becomes that of its latest "
        "approved update. Honours `If-Match` (412 when stale)."
    ),
    "return": gettext_lazy(
        "Secretariat only (403 for anyone else), on a pending update (409 once reviewed). A "
        "`reason` is required; the submitting entity sees it. Honours `If-Match` (412 when "
        "stale)."
    ),
}


def _review_schema(name: str) -> Callable[[Action], Action]:
    returning = name == "return"
    return extend_schema(
        summary=_action_summary(UPDATE_TRANSITIONS[name].label, name),
        description=REVIEW_TEXT[name],
        request=TransitionSerializer,
        parameters=[IF_MATCH],
        responses={200: PledgeUpdateSerializer},
        examples=[
            ex.example(
                "Request",
                {"reason": "Please add the enrolment figures per school."} if returning else {},
                request_only=True,
            ),
            ex.example(
                "The update after the decision",
                {**ex.UPDATE, "review_state": "returned" if returning else "approved"},
                response_only=True,
            ),
            *ex.errors_for(403, 409),
        ],
    )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List progress updates"),
        description=with_cursor_note(
            gettext_lazy(
                "Approved updates of the pledges you may see; members also see their entity's "
                "pending and returned updates, the secretariat all. Filter by the update's own "
                "`pledge` (reference), `status`, `review_state`, `reported_since`, "
                "`updated_since`, and through its pledge by every pledge filter of `/pledges/` "
                "(`compact`, `objective`, `forum`, `entity`, `country`, `search`…), which mean "
                "the same there. Order with `ordering` (default `-id`)."
            )
        ),
        examples=[ex.example("A page of updates", ex.page(ex.UPDATE), response_only=True)],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One progress update, by its id"),
        description=gettext_lazy("404 if it does not exist or you may not see it."),
        responses={200: PledgeUpdateSerializer},
        examples=[ex.example("An update", ex.UPDATE, response_only=True)],
    ),
    create=extend_schema(
        summary=gettext_lazy("Report progress on a pledge"),
        description=gettext_lazy(
            "By a member of the pledge's submitting entity, on a published pledge (409 "
            "otherwise), on behalf of all its co-pledgers. `actuals` give the cumulative value "
            "achieved per target (the target `id`s of the pledge). The update waits for the "
            "secretariat's review."
        ),
        request=PledgeUpdateWriteSerializer,
        responses={201: PledgeUpdateSerializer},
        examples=[
            ex.example("A progress report", ex.UPDATE_WRITE, request_only=True),
            ex.example("The update created", ex.UPDATE, response_only=True, status_codes=["201"]),
            *ex.errors_for(400, 403, 409),
        ],
    ),
)
class PledgeUpdateViewSet(
    RemovedMixin,
    LoadsRows,
    ConditionalMixin,
    ExportMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Progress updates: read what you may see, report progress, and (secretariat) review."""

    feed_resource = Resource.PLEDGE_UPDATE

    queryset = PledgeUpdate.objects.none()  # for the schema; requests use get_queryset
    serializer_class = PledgeUpdateSerializer
    detail_serializer_class = PledgeUpdateSerializer
    filterset_class = PledgeUpdateFilter
    filter_backends = FILTERS
    permission_classes = (IsAuthenticatedOrReadOnly,)
    schema = ApiSchema()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    ordering = ("-id",)
    ordering_fields = ("id", "reported_on", "created_at", "updated_at")
    export_basename = "pledge-updates"
    load_rows = staticmethod(load_update_rows)

    def get_queryset(self) -> QuerySet[PledgeUpdate]:
        return _updates_with_data(PledgeUpdate.objects.visible_to(self.request.user))

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return PledgeUpdateWriteSerializer
        if self.action in ("approve", "return_"):
            return TransitionSerializer
        return PledgeUpdateSerializer

    def export_serializer_class(self) -> Any:
        return PledgeUpdateExportSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _create_update(self, request, None)

    def _review(self, request: Request, name: str) -> Response:
        update = self.get_object()
        self.check_if_match(update)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.review_update(
            update=update,
            action=name,
            by=_caller(request),
            reason=serializer.validated_data["reason"],
        )
        fresh = self.get_queryset().get(pk=update.pk)
        data = PledgeUpdateSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": etag_for(data)})

    @_review_schema("approve")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, id: str) -> Response:
        return self._review(request, "approve")

    @_review_schema("return")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, id: str) -> Response:
        return self._review(request, "return")
