"""Load the reference data the app ships with: ISO countries and currencies, the two compacts with
their objectives, actions and principles, forums, entity and support types, thematic areas, support
platforms and the GCR indicators.

The data lives in `bootstrap/data/` as JSON and CSV, never in logic, so the secretariat can correct
it (in the admin, or here for the next release). Loading is keyed on natural keys and never deletes
or, unless asked with `update=True`, overwrites: a title the secretariat edited survives a re-run.
A row leaves out the fields we do not know (e.g. the dates of the GRF 2027), so that `update=True`
does not blank out what the secretariat filled in since.

`countries.csv` and `currencies.csv` were generated once, outside the project: names and alpha-3
codes from pycountry 26.2.16 (ISO 3166-1 short names, ISO 4217 active codes less precious metals,
bond-market units, XTS and XXX); UN M49 region and sub-region from the file `all/all.csv` of the
public repository lukes/ISO-3166-Countries-with-Regional-Codes, with current M49 values filled in
for the eight territories that file left blank (BV, IO, CX, CC, TF, HM, GS, UM). Antarctica has no
M49 region.
"""

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.models import Country, Currency
from forums.models import Forum
from indicators.models import Indicator
from pledges.models import EntityType, SupportType
from pledges.roles import ensure_secretariat_group

DATA_DIR = Path(__file__).resolve().parent / "data"

Row = dict[str, Any]
Key = tuple[Any, ...]


@dataclass
class TableSummary:
    """What loading did to one table."""

    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Existing rows whose values differ from the shipped ones and were left alone (no --update):
    # usually the secretariat's edits. Counted within `unchanged` as well.
    kept: int = 0
    created_keys: set[Key] = field(default_factory=set, repr=False)
    updated_keys: set[Key] = field(default_factory=set, repr=False)
    kept_keys: set[Key] = field(default_factory=set, repr=False)

    def describe(self) -> str:
        """One line of output, e.g. 'Objectives: 27 created, 0 updated, 0 unchanged'."""
        line = gettext(
            "%(table)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged"
        ) % {
            "table": self.label,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.kept:
            line += " " + ngettext(
                "(%(count)d differs from the shipped data and was kept; --update overwrites it)",
                "(%(count)d differ from the shipped data and were kept; --update overwrites them)",
                self.kept,
            ) % {"count": self.kept}
        return line


def load_reference_data(*, update: bool = False) -> list[TableSummary]:
    """Create the missing reference rows (and with `update`, reset shipped fields), all or nothing.

    Returns one summary per table, in loading order (parents before children).
    """
    with transaction.atomic():
        return [
            load_countries(update=update),
            load_currencies(update=update),
            load_compacts(update=update),
            load_objectives(update=update),
            load_objective_actions(update=update),
            load_guiding_principles(update=update),
            load_thematic_areas(update=update),
            load_support_platforms(update=update),
            load_forums(update=update),
            load_entity_types(update=update),
            load_support_types(update=update),
            load_indicators(update=update),
            load_roles(),
        ]


def load_roles() -> TableSummary:
    """The Secretariat group with its permissions (added to, never taken away)."""
    summary = TableSummary(label=capfirst(gettext("roles")))
    _group, changed = ensure_secretariat_group()
    if changed:
        summary.created = 1
    else:
        summary.unchanged = 1
    return summary


def load_countries(*, update: bool = False) -> TableSummary:
    """ISO 3166-1 countries and territories with their UN M49 region and sub-region."""
    return sync_rows(Country, _read_csv("countries.csv"), key=("code",), update=update)


def load_currencies(*, update: bool = False) -> TableSummary:
    """Active ISO 4217 currencies in which a pledge's amount may be stated."""
    return sync_rows(Currency, _read_csv("currencies.csv"), key=("code",), update=update)


def load_compacts(*, update: bool = False) -> TableSummary:
    """The GCR and the GCM."""
    return sync_rows(Compact, _read_json("compacts.json"), key=("code",), update=update)


def load_objectives(*, update: bool = False) -> TableSummary:
    """GCR objectives 1–4 and GCM objectives 1–23 with their official titles."""
    rows = _with_compact_ids(_read_json("objectives.json"))
    return sync_rows(Objective, rows, key=("compact_id", "number"), update=update)


def load_objective_actions(*, update: bool = False) -> TableSummary:
    """Lettered GCM actions; only objective 23's are shipped, the secretariat adds the others."""
    rows = _with_objective_ids(_read_json("objective_actions.json"))
    return sync_rows(ObjectiveAction, rows, key=("objective_id", "letter"), update=update)


def load_guiding_principles(*, update: bool = False) -> TableSummary:
    """The ten GCM guiding principles."""
    rows = _with_compact_ids(_read_json("guiding_principles.json"))
    return sync_rows(GuidingPrinciple, rows, key=("compact_id", "number"), update=update)


def load_thematic_areas(*, update: bool = False) -> TableSummary:
    """GRF 2019 areas of focus and examples of GRF 2023 multistakeholder pledges."""
    rows = _with_compact_ids(_read_json("thematic_areas.json"))
    return sync_rows(ThematicArea, rows, key=("compact_id", "slug"), update=update)


def load_support_platforms(*, update: bool = False) -> TableSummary:
    """The GCR regional support platforms and the countries each one covers.

    Countries are only ever added: on a new platform, or with `update`. A country the secretariat
    removed from an existing platform stays removed on a default re-run.
    """
    rows = _with_compact_ids(_read_json("support_platforms.json"))
    shipped_countries = {row["code"]: set(row.pop("countries", [])) for row in rows}
    summary = sync_rows(SupportPlatform, rows, key=("code",), update=update)

    through = SupportPlatform.countries.through
    platform_ids = dict(SupportPlatform.objects.values_list("code", "id"))
    linked = set(through.objects.values_list("supportplatform_id", "country_id"))
    links = []
    for code, countries in shipped_countries.items():
        platform_id = platform_ids[code]
        missing = sorted(c for c in countries if (platform_id, c) not in linked)
        if not missing:
            continue
        row_key = (code,)
        if row_key in summary.created_keys or update:
            links += [through(supportplatform_id=platform_id, country_id=c) for c in missing]
        # An existing platform whose row matched still differs by its countries.
        if row_key in summary.created_keys | summary.updated_keys | summary.kept_keys:
            continue
        if update:
            summary.unchanged -= 1
            summary.updated += 1
            summary.updated_keys.add(row_key)
        else:
            summary.kept += 1
            summary.kept_keys.add(row_key)
    through.objects.bulk_create(links)
    return summary


def load_forums(*, update: bool = False) -> TableSummary:
    """GRF, HLOM, progress reviews, IMRF and GCM regional reviews, keyed on their pledge prefix."""
    rows = _with_compact_ids(_read_json("forums.json"))
    return sync_rows(Forum, rows, key=("code",), update=update)


def load_entity_types(*, update: bool = False) -> TableSummary:
    """Kinds of pledging actor, in the order forms list them."""
    return sync_rows(EntityType, _read_json("entity_types.json"), key=("code",), update=update)


def load_support_types(*, update: bool = False) -> TableSummary:
    """Kinds of support a pledge offers, in the order forms list them."""
    return sync_rows(SupportType, _read_json("support_types.json"), key=("code",), update=update)


def load_indicators(*, update: bool = False) -> TableSummary:
    """The GCR indicators (2022 framework), each attached to the objective it measures."""
    rows = _with_objective_ids(_read_json("indicators.json"), keep_compact=True)
    return sync_rows(Indicator, rows, key=("compact_id", "code"), update=update)


def sync_rows(
    model: type[models.Model],
    rows: Sequence[Row],
    *,
    key: Sequence[str],
    update: bool,
) -> TableSummary:
    """Create the rows of `model` missing by natural `key`; with `update`, also reset the fields
    given in each row on existing rows. Nothing is ever deleted.

    Row values are named by attribute (`compact_id`, not `compact`) and may be JSON strings, e.g.
    ISO dates: each is converted with its model field's `to_python` before comparing.
    """
    opts = model._meta
    summary = TableSummary(label=str(capfirst(opts.verbose_name_plural)))
    existing = {tuple(getattr(obj, name) for name in key): obj for obj in model.objects.all()}
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    changed_fields: set[str] = set()
    for row in rows:
        values = {name: opts.get_field(name).to_python(value) for name, value in row.items()}
        row_key = tuple(values[name] for name in key)
        obj = existing.get(row_key)
        if obj is None:
            to_create.append(model(**values))
            summary.created_keys.add(row_key)
            continue
        differing = [name for name, value in values.items() if getattr(obj, name) != value]
        if not differing:
            summary.unchanged += 1
        elif update:
            for name in differing:
                setattr(obj, name, values[name])
            to_update.append(obj)
            changed_fields.update(differing)
            summary.updated_keys.add(row_key)
        else:
            summary.unchanged += 1
            summary.kept += 1
            summary.kept_keys.add(row_key)
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields))
    summary.created = len(to_create)
    summary.updated = len(to_update)
    return summary


def _read_json(name: str) -> list[Row]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return json.load(f)


def _read_csv(name: str) -> list[Row]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        # An empty cell means "not shipped" (e.g. Antarctica's region), like a key left out of JSON.
        return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(f)]


def _with_compact_ids(rows: list[Row]) -> list[Row]:
    """Replace each row's compact code by the compact's id."""
    compact_ids = dict(Compact.objects.values_list("code", "id"))
    for row in rows:
        row["compact_id"] = compact_ids[row.pop("compact")]
    return rows


def _with_objective_ids(rows: list[Row], *, keep_compact: bool = False) -> list[Row]:
    """Replace each row's compact code and objective number by the objective's id (and, for
    models that also point at the compact, the compact's id)."""
    objective_ids = {
        (code, number): (compact_id, objective_id)
        for code, number, compact_id, objective_id in Objective.objects.values_list(
            "compact__code", "number", "compact_id", "id"
        )
    }
    for row in rows:
        compact_id, row["objective_id"] = objective_ids[(row.pop("compact"), row.pop("objective"))]
        if keep_compact:
            row["compact_id"] = compact_id
    return rows
