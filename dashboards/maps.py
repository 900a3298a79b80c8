"""The world map of pledges by beneficiary country: a `charts.Chart` whose data table lists every
country with its pledges and US dollars pledged (each linking to the pledges behind it) and
whose drawing (static/js/map.js, the vendored chartjs-chart-geo) colours Natural Earth's shapes
(static/vendor/world-atlas/, keyed by ISO 3166-1 numeric code) by the number of pledges.

The figures are those of the snapshots or the stored per-pledge facts the caller read: the map
itself runs no query.
"""

import csv
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.templatetags.static import static
from django.utils.translation import gettext as _

from .charts import Cell, Chart, Row, count, usd

CODES_FILE = Path(__file__).resolve().parent / "data" / "iso_numeric.csv"
TOPOLOGY = "vendor/world-atlas/countries-110m.json"

# (ISO alpha-2, name, figures) of one country, as the dashboard's selectors give them.
CountryFigures = tuple[str, str, dict[str, Any]]


@lru_cache(maxsize=1)
def numeric_codes() -> dict[str, str]:
    """ISO alpha-2 → ISO numeric (three digits), the ids of the map's shapes."""
    with CODES_FILE.open(encoding="utf-8") as file:
        rows = csv.DictReader(line for line in file if not line.startswith("#"))
        return {row["code"]: row["numeric"] for row in rows}


def map_chart(
    countries: Sequence[CountryFigures],
    *,
    caption: str,
    url_of: Callable[[str], str | None],
) -> Chart:
    """The map and its table: every country with at least one pledge, most pledges first."""
    chart = Chart(
        key="map",
        title=_("Map of pledges by beneficiary country"),
        caption=caption,
        columns=[_("Country"), _("Code"), _("Pledges"), _("Pledged (USD)")],
        note=_(
            "Boundaries from Natural Earth (public domain). The boundaries and names shown do "
            "not imply official endorsement or acceptance by the United Nations."
        ),
    )
    codes = numeric_codes()
    values: dict[str, int] = {}
    names: dict[str, str] = {}
    links: dict[str, str] = {}
    rows = sorted(countries, key=lambda row: (-row[2]["pledges"], row[1]))
    for code, name, figures in rows:
        url = url_of(code)
        pledged = figures["money"]["pledged_usd"]
        chart.rows.append(
            Row(
                [
                    Cell(name, name),
                    Cell(code, code),
                    Cell(figures["pledges"], count(figures["pledges"]), url),
                    Cell(pledged, usd(pledged), url),
                ]
            )
        )
        numeric = codes.get(code)
        if numeric:
            values[numeric] = figures["pledges"]
            names[numeric] = name
            if url:
                links[numeric] = url
    chart.spec = {
        "type": "choropleth",
        "topology": static(TOPOLOGY),
        "label": _("Pledges"),
        "values": values,
        "names": names,
        "links": links,
        "format": "count",
    }
    return chart
