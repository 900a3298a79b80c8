"""Base classes for the API's viewsets: conditional requests, streamed CSV/XLSX exports, strict
filters and cursor pagination come with every list."""

from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny

from .conditional import ConditionalMixin
from .exports import ExportMixin
from .schema import ApiSchema


class ReadOnlyResourceViewSet(ConditionalMixin, ExportMixin, viewsets.ReadOnlyModelViewSet):
    """Public reference data (compacts, forums, indicators…): anyone may read it."""

    permission_classes = (AllowAny,)
    schema = ApiSchema()


class ResourceViewSet(
    ConditionalMixin,
    ExportMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """A resource that can also be written; `perform_create`/`perform_update` call services."""

    schema = ApiSchema()
