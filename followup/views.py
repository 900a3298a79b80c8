"""The public list of follow-up documents (`/documents/`)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .filters import DocumentFilter
from .models import FollowUpDocument

PER_PAGE = 25


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    """Every recorded document, newest first, filtered by compact, objective, forum and kind.
    A bad filter value is shown on its field and lists nothing, rather than everything."""
    filters = DocumentFilter(request.GET, queryset=FollowUpDocument.objects.for_listing())
    documents = filters.qs if filters.is_valid() else FollowUpDocument.objects.none()
    page = Paginator(documents, PER_PAGE).get_page(request.GET.get("page"))
    filtered = any(request.GET.get(name) for name in DocumentFilter.base_filters)
    return render(
        request,
        "followup/document_list.html",
        {"page": page, "form": filters.form, "filtered": filtered},
    )
