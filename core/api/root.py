"""The API's index (`/api/v1/`): a link to each resource. Open to anyone, as reading is, and
described in the schema like every other operation."""

from typing import Any

from django.urls import URLPattern
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import routers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from .conditional import ConditionalMixin
from .schema import ApiSchema


class ApiRootView(ConditionalMixin, routers.APIRootView):
    permission_classes = (AllowAny,)
    schema = ApiSchema()

    @extend_schema(
        operation_id="api_root",
        tags=["api"],
        summary=gettext_lazy("The API's resources"),
        description=gettext_lazy("The URL of each resource's list, by name."),
        responses={
            200: OpenApiResponse(
                {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
                description=gettext_lazy("Resource name → URL of its list."),
            )
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ApiRouter(routers.DefaultRouter):
    APIRootView = ApiRootView

    def get_urls(self) -> list[Any]:
        # Without the root's `/api/v1/.json` twin, which would be a second operation in the
        # schema; the resources keep their format suffixes.
        return [
            url
            for url in super().get_urls()
            if not (
                isinstance(url, URLPattern)
                and url.name == self.root_view_name
                and "format" in url.pattern.regex.groupindex
            )
        ]
