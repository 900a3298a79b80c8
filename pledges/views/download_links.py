"""Links to the downloads of a list (`pledges/_downloads.html`), kept apart from the download
views so that every page can link to them without importing those views."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, QueryDict
from django.urls import reverse

FORMATS = ("csv", "xlsx")


def download_urls(route: str, query: Any = "") -> dict[str, str]:
    """`url_csv` and `url_xlsx` of a download route, with `query` (a QueryDict, a mapping or an
    encoded query string) — what `pledges/_downloads.html` links to."""
    if not isinstance(query, str):
        query = (query if isinstance(query, QueryDict) else _query(query)).urlencode()
    suffix = f"?{query}" if query else ""
    return {f"url_{fmt}": reverse(route, args=[fmt]) + suffix for fmt in FORMATS}


def _query(values: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(values)
    return query


def browser_download_urls(request: HttpRequest, invalid: Iterable[str] = ()) -> dict[str, str]:
    """The browser's downloads of the pledges it shows: its query without the page and
    without the filters it could not apply (it lists the pledges without them; the download
    would refuse them)."""
    query = request.GET.copy()
    for name in ("page", *invalid):
        query.pop(name, None)
    return download_urls("pledges:pledge-export", query)


def queue_download_urls(request: HttpRequest, route: str, *pages: str) -> dict[str, str]:
    """The download links of a queue: its filters and order, not its page."""
    query = request.GET.copy()
    for name in pages:
        query.pop(name, None)
    return download_urls(route, query)
