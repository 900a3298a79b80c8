"""`/api/v1/changes/`: the change feed, paged by an opaque cursor (changefeed.feed)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from changefeed.feed import BadCursor, read_page
from core.api.conditional import ConditionalMixin
from core.api.pagination import CursorPagination
from core.api.schema import ApiSchema

from .serializers import ChangePageSerializer

DEFAULT_SIZE = 100


class ChangeViewSet(ConditionalMixin, viewsets.ViewSet):  # ETags: 304 when nothing is new
    permission_classes = (AllowAny,)
    schema = ApiSchema()

    @extend_schema(
        summary=gettext_lazy("List changes to public data"),
        description=gettext_lazy(
            "Every change to what the public API lists — pledges, progress updates, entities, "
            "multistakeholder pledges, matches, indicator values and progress snapshots: "
            "created, updated and removed (withdrawn, superseded, rejected after publication, "
            "unpublished, deleted, entity no longer verified), in commit order. Start without "
            "`cursor`, store the `cursor` of each answer and send it next time: nothing is "
            "missed or repeated, however close together changes are made. A change shows up "
            "once its transaction and every transaction that began before it have ended. Read "
            "a created or updated row from its list or detail; a removed row is gone from the "
            "public lists (its detail answers 410 with the same reason)."
        ),
        parameters=[
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                description=gettext_lazy("The `cursor` of the previous answer; none to start."),
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": 500, "default": DEFAULT_SIZE},
                description=gettext_lazy("At most this many changes (1–500)."),
            ),
        ],
        responses={200: ChangePageSerializer},
    )
    def list(self, request: Request) -> Response:
        unknown = sorted(set(request.query_params) - {"cursor", "page_size", "format"})
        if unknown:
            raise exceptions.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        size = DEFAULT_SIZE
        if "page_size" in request.query_params:
            size = CursorPagination().get_page_size(request)
        try:
            page = read_page(request.query_params.get("cursor", ""), size=size)
        except BadCursor:
            raise exceptions.ValidationError(
                {"cursor": [_("This cursor is not one the feed gave out.")]}
            ) from None
        data = {"changes": page.changes, "cursor": page.next_cursor, "has_more": page.has_more}
        return Response(ChangePageSerializer(data).data)
