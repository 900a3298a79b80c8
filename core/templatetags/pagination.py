"""`{% pagination page %}`: the page links under every paginated list of the site."""

from typing import Any

from django import template
from django.core.paginator import Page
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(
    context: template.Context, page: Page, label: str = "", param: str = "page"
) -> dict[str, Any]:
    """Previous, numbered (elided in the middle of long ranges) and next links for `page`.

    Each link keeps every other parameter of the query string, so that paging never drops a
    filter or a sort. `param` names the page's parameter where one page shows two lists;
    `label` names the navigation landmark ("Pages" unless said).
    """
    query = context["request"].GET

    def url(number: int) -> str:
        params = query.copy()
        params[param] = str(number)
        return f"?{params.urlencode()}"

    # Page numbers, with the paginator's ELLIPSIS (a string) where the range is elided.
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "page": page,
        "label": label or _("Pages"),
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
        "links": [
            {"number": n, "url": url(n) if isinstance(n, int) else "", "current": n == page.number}
            for n in numbers
        ],
    }
