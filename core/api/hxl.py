"""HXL hashtags (the Humanitarian Exchange Language, https://hxlstandard.org) for our CSV
columns: with `?hxl=true` a CSV export carries them as a second header row, which HXL tools
(HDX, the HXL Proxy, libhxl) read to know what each column holds whatever its name or language.

Tags and attributes come from the HXL core schema's vocabulary (`#org`, `#country`, `#activity`,
`#value`, `#currency`, `#date`, `#status`, `#sector`, `#indicator`, `#description`, `#meta`;
`+code`, `+name`, `+type`, `+start`, `+end`, `+usd`…). A column with no sensible tag is left
untagged, as HXL allows: tools ignore it. (libhxl is not needed to write one header row.)
"""

from collections.abc import Sequence

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request

HXL_PARAM = "hxl"

# By the whole column name first, then by its last dotted part (`entity.name` → `name`).
TAGS = {
    "reference": "#activity+code",
    "pledge": "#activity+code",
    "id": "#meta+id",
    "title": "#activity+name",
    "language": "#meta+lang",
    "compact": "#meta+compact",
    "forum": "#event+code",
    "reaffirmations": "#event+reaffirmed",
    "entity": "#org+name",
    "entity_id": "#org+id",
    "entity_type": "#org+type",
    "entity.name": "#org+name",
    "entity.id": "#org+id",
    "entity.acronym": "#org+acronym",
    "co_pledgers": "#org+partner+name",
    "objectives": "#sector+objective",
    "objective": "#sector+objective",
    "thematic_areas": "#sector+theme",
    "support_types": "#activity+type",
    "geography_scope": "#meta+scope",
    "beneficiary_countries": "#country+code",
    "country": "#country+code",
    "country_name": "#country+name",
    "region": "#region+code",
    "support_platform": "#meta+platform",
    "start_date": "#date+start",
    "end_date": "#date+end",
    "amount": "#value",
    "currency": "#currency",
    "announced_on": "#date+announced",
    "review_state": "#status+review",
    "implementation_status": "#status",
    "status": "#status",
    "last_update_on": "#date+reported",
    "reported_on": "#date+reported",
    "published_at": "#date+published",
    "updated_at": "#date+updated",
    "date": "#date",
    "year": "#date+year",
    "description": "#description",
    "narrative": "#description+narrative",
    "challenges": "#description+challenges",
    "disbursed_amount": "#value+disbursed",
    "name": "#meta+name",
    "acronym": "#org+acronym",
    "indicator": "#indicator+code",
    "code": "#meta+code",
    "value": "#indicator+value",
    "numerator": "#indicator+num",
    "denominator": "#indicator+denom",
    "source": "#meta+source",
    "metric": "#indicator+name",
    "target_value": "#targeted+value",
    "url": "#meta+url",
}


def tag(column: str) -> str:
    """The HXL hashtag of a column, or "" (untagged). Money in US dollars (`…_usd`,
    `usd_…`) is `#value+usd`."""
    if column in TAGS:
        return TAGS[column]
    last = column.rsplit(".", 1)[-1]
    if last.endswith("_usd") or last.startswith("usd_"):
        return "#value+usd"
    return TAGS.get(last, "")


def tags(header: Sequence[str]) -> list[str]:
    return [tag(column) for column in header]


def wants_hxl(request: Request) -> bool:
    """`?hxl=true`: 400 for a value that is neither true nor false."""
    raw = request.query_params.get(HXL_PARAM)
    if raw is None or raw.lower() in ("false", "0"):
        return False
    if raw.lower() in ("true", "1"):
        return True
    raise exceptions.ValidationError({HXL_PARAM: [_("Give true or false.")]})
