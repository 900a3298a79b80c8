"""URLs of the benchmark settings (`config.settings.bench`): the real site, plus the bare
baselines that `make bench` compares the pledge API against.

`/bench/baseline/pledges/` is what issue #7 names: the same 100 rows as `GET /api/v1/pledges/?
page_size=100&compact=GCM&implementation_status=in_progress`, literally `.values()` — every
column of the pledge row (`description` included, foreign keys as their `_id` columns) — and
`JsonResponse`: no serializer, no nested lists, no links, no pagination, no ETag, no
authentication or throttling — the floor that a Django view can reach for those rows.

`/bench/baseline/pledges/short/` is the baseline that measurement 1 used until session 3
(docs/performance.md): the same rows with 12 short hand-picked columns (~20 KB, where every
column is ~290 KB). It stays so that figures measured against either can be compared.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from pledges.models import Pledge, ReviewState

SHORT_FIELDS = (
    "id",
    "reference",
    "title",
    "compact__code",
    "forum__code",
    "entity__name",
    "review_state",
    "implementation_status",
    "amount",
    "currency_id",
    "announced_on",
    "updated_at",
)


def _page(request: HttpRequest) -> Any:
    """Published pledges of `compact` with `implementation_status`, newest first, 100 rows."""
    return Pledge.objects.filter(
        review_state=ReviewState.PUBLISHED,
        compact__code=request.GET.get("compact", "GCM"),
        implementation_status=request.GET.get("implementation_status", "in_progress"),
    ).order_by("-id")


def baseline_pledges(request: HttpRequest) -> JsonResponse:
    """The page's rows with `.values()`: every column of the pledge table."""
    return JsonResponse({"results": list(_page(request).values()[:100])})


def baseline_pledges_short(request: HttpRequest) -> JsonResponse:
    """The page's rows with 12 short columns (the baseline until session 3)."""
    return JsonResponse({"results": list(_page(request).values(*SHORT_FIELDS)[:100])})


urlpatterns = [
    path("bench/baseline/pledges/", baseline_pledges, name="bench-baseline-pledges"),
    path(
        "bench/baseline/pledges/short/",
        baseline_pledges_short,
        name="bench-baseline-pledges-short",
    ),
    *site_urlpatterns,
]
