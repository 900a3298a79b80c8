"""`/api/v1/bulk/`: the data packages kept, with each file's size, SHA-256, rows and address."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from core.api.viewsets import ReadOnlyResourceViewSet

from .models import DataPackage


class DataFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("The file name, e.g. `pledges.csv.gz`."))
    resource = serializers.CharField(
        help_text=_("The table it holds (empty for `datapackage.json`).")
    )
    format = serializers.CharField(help_text=_("`csv`, `jsonl` or `json` (the descriptor)."))
    bytes = serializers.IntegerField(help_text=_("Size of the file as stored (gzipped)."))
    sha256 = serializers.CharField(help_text=_("SHA-256 of the file as stored, in hex."))
    rows = serializers.IntegerField(help_text=_("Data rows (0 for the descriptor)."))
    url = serializers.URLField(help_text=_("Where to download it."))


class DataPackageSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    total_bytes = serializers.IntegerField(read_only=True)
    rows = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("Rows per table."),
    )
    descriptor = serializers.SerializerMethodField(
        help_text=_("The package's `datapackage.json` (Frictionless Data Package).")
    )
    files = serializers.SerializerMethodField()

    class Meta:
        model = DataPackage
        fields = ("id", "created_at", "total_bytes", "rows", "descriptor", "files")

    def _url(self, package: DataPackage, name: str) -> str:
        path = reverse(
            "datapackages:package-file", kwargs={"public_id": package.public_id, "name": name}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_descriptor(self, package: DataPackage) -> str:
        return self._url(package, "datapackage.json")

    @extend_schema_field(DataFileSerializer(many=True))
    def get_files(self, package: DataPackage) -> list[dict[str, Any]]:
        return [
            {
                "name": f["name"],
                "resource": f.get("resource", ""),
                "format": f["format"],
                "bytes": f["bytes"],
                "sha256": f["sha256"],
                "rows": f.get("rows", 0),
                "url": self._url(package, f["name"]),
            }
            for f in package.files
        ]


@extend_schema_view(
    list=extend_schema(
        summary=_("List bulk data packages"),
        description=_(
            "The whole public dataset (pledges, co-pledgers, objectives of pledges, targets, "
            "approved updates, verified entities, indicator values, progress snapshots) as a "
            "Frictionless Data Package, written every night: each table as gzipped CSV (UTF-8 "
            "with a byte-order mark) and gzipped JSON Lines, described by `datapackage.json`. "
            "Newest first; only the newest few are kept. Each file has its size, SHA-256 and "
            "row count."
        ),
    ),
    retrieve=extend_schema(summary=_("One bulk data package, by id")),
)
class DataPackageViewSet(ReadOnlyResourceViewSet):
    serializer_class = DataPackageSerializer
    lookup_field = "public_id"
    ordering = ("-id",)
    ordering_fields = ("id",)
    export_basename = "data-packages"

    def get_queryset(self) -> QuerySet[DataPackage]:
        return DataPackage.objects.all()

    def get_object(self) -> Any:
        package = super().get_object()
        self._last_modified = package.created_at
        return package
