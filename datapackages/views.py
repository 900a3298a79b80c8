"""The public Data page (`/data/`) and the package files' downloads."""

import mimetypes
import uuid

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import DataPackage

CONTENT_TYPES = {"csv": "text/csv", "jsonl": "application/jsonl", "json": "application/json"}


@require_GET
def package_list(request: HttpRequest) -> HttpResponse:
    """The packages kept, newest first, each file with its size, SHA-256 and rows."""
    packages = list(DataPackage.objects.all())
    return render(
        request,
        "datapackages/package_list.html",
        {"latest": packages[0] if packages else None, "older": packages[1:]},
    )


@require_GET
def package_file(request: HttpRequest, public_id: uuid.UUID, name: str) -> FileResponse:
    """One file of a package, streamed from the storage. Only names the package lists."""
    package = get_object_or_404(DataPackage, public_id=public_id)
    item = package.file(name)
    path = f"{package.folder}/{name}"
    if item is None or not default_storage.exists(path):
        raise Http404
    content_type = CONTENT_TYPES.get(item["format"]) or mimetypes.guess_type(name)[0]
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=name != "datapackage.json",
        filename=name,
        content_type=content_type,
    )
    if name.endswith(".gz"):
        # The file IS the gzip: no Content-Encoding (a browser would unpack it on the fly and
        # the SHA-256 would not match), and the compression middleware leaves it alone.
        response["Content-Type"] = "application/gzip"
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response
