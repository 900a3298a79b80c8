"""`{% pledges_map %}`: the world map of published pledges by beneficiary country on pages outside
the dashboard (the pledge browser), read from the latest compact snapshots' country slices —
the figures the dashboard shows — and cached like the dashboard. A template tag rather than a
view import: the pledge pages stay below the dashboards in the dependency order."""

from typing import Any

from django import template

from .. import charts, maps, selectors, views

register = template.Library()


@register.inclusion_tag("dashboards/_pledges_map.html", takes_context=True)
def pledges_map(context: dict[str, Any]) -> dict[str, Any]:
    """The map of the compacts chosen in the page's query string (`compact=`), or of both."""
    request = context.get("request")
    asked = sorted(set(request.GET.getlist("compact"))) if request is not None else []

    def build() -> dict[str, Any]:
        found = selectors.latest_countries(asked)
        chart = maps.map_chart(
            found.countries,
            caption=charts.browser_map_caption(found.as_of),
            url_of=lambda code: charts.browser_country_url(found.compacts, code),
        )
        return {"chart": chart, "as_of": found.as_of}

    return views.cached("pledges-map", tuple(asked), build)
