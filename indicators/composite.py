"""Where the composite score may be shown, and how it is labelled when it is.

The composite (`figures.composite`, docs/progress.md) is the tracker's own measure: it mixes
population statistics with pledge progress, and neither UNHCR nor the UN Network on Migration
publishes such a score. Wherever it is shown it is called the tracker's composite and links to
its definition (`/about/figures/#composite`); `TRACKER_COMPOSITE_SCORE = False` keeps it off the
pages, the API and the exports of a deployment, while the engine still computes and stores it.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse

# The anchor of the composite's definition on the "official and computed" page.
ANCHOR = "composite"


def shown() -> bool:
    """Whether this deployment publishes the composite at all."""
    return bool(getattr(settings, "TRACKER_COMPOSITE_SCORE", True))


def definition_url() -> str:
    """The composite's definition, in the active language."""
    return f"{reverse('dashboards:figures')}#{ANCHOR}"


def public_figures(figures: dict[str, Any] | None, definition: str) -> dict[str, Any] | None:
    """A snapshot's figures as published: without `composite` when the deployment turns it off,
    else with the composite saying that it is the tracker's (`official: false`) and where it is
    defined, so that the label travels with the number into every export row."""
    if figures is None or "composite" not in figures:
        return figures
    public = dict(figures)
    if not shown():
        del public["composite"]
        return public
    public["composite"] = {**figures["composite"], "official": False, "definition": definition}
    return public


def public_figures_sql(column: str) -> tuple[str, list[Any]]:
    """`public_figures` of the jsonb column `column` in SQL, and its parameters, for writers
    that let PostgreSQL write the rows (the bulk data package): the same two cases, from the
    same setting."""
    has = f"jsonb_exists({column}, 'composite')"
    if not shown():
        return f"CASE WHEN {has} THEN {column} - 'composite' ELSE {column} END", []
    labelled = (
        f"{column} || jsonb_build_object('composite', ({column} -> 'composite')"
        " || jsonb_build_object('official', false, 'definition', %s::text))"
    )
    return f"CASE WHEN {has} THEN {labelled} ELSE {column} END", [definition_url()]
