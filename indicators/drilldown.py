"""From a progress figure to the pledges behind it: the query string of the pledge browser and
of the API (they share one FilterSet, so the same parameters mean the same there)."""

from urllib.parse import urlencode

from core.models import Region
from pledges.models import ImplementationStatus

from .models import SliceKind

NO_UPDATE = "none"  # the browser's value for "no approved update yet"
SLICE_PARAMS: dict[str, str] = {SliceKind.FORUM: "forum", SliceKind.ENTITY_TYPE: "entity_type"}


def slice_params(
    *, compact: str, objective_number: int, slice_kind: str, slice_key: str
) -> dict[str, str] | None:
    """Filters that select exactly the pledges of a snapshot, or None where no filter can (the
    `global` region slice: scope is not a browser filter)."""
    params = {"objective": f"{compact}-{objective_number}"}
    if slice_kind in SLICE_PARAMS:
        params[SLICE_PARAMS[slice_kind]] = slice_key
    elif slice_kind == SliceKind.REGION:
        if slice_key not in Region.values:
            return None
        params["region"] = slice_key
    return params


def query(params: dict[str, str], **extra: str) -> str:
    return "?" + urlencode({**params, **extra})


def status_values() -> dict[str, str]:
    """Figure key (as in `figures.status`) → the browser's implementation_status value."""
    return {**{s: s for s in ImplementationStatus.values}, "no_update": NO_UPDATE}
