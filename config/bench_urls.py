"""URLs of the benchmark settings (`config.settings.bench`): the real site, plus the bare
baseline that `make bench` compares the pledge API against.

The baseline returns the same 100 rows as `GET /api/v1/pledges/?page_size=100&compact=GCM&
implementation_status=in_progress` with `.values()` and `JsonResponse`: no serializer, no
nested lists, no pagination links, no ETag — the floor that a Django view can reach.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from pledges.models import Pledge, ReviewState

BASELINE_FIELDS = (
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


def baseline_pledges(request: HttpRequest) -> JsonResponse:
    """Published pledges of `compact` with `implementation_status`, newest first, 100 rows."""
    rows = (
        Pledge.objects.filter(
            review_state=ReviewState.PUBLISHED,
            compact__code=request.GET.get("compact", "GCM"),
            implementation_status=request.GET.get("implementation_status", "in_progress"),
        )
        .order_by("-id")
        .values(*BASELINE_FIELDS)[:100]
    )
    return JsonResponse({"results": list(rows)})


urlpatterns = [
    path("bench/baseline/pledges/", baseline_pledges, name="bench-baseline-pledges"),
    *site_urlpatterns,
]
