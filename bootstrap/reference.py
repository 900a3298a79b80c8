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
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
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
WHERE = "__where__"  # each row remembers its file and line, for error messages


class ReferenceDataError(Exception):
    """Rows of the shipped files that cannot be loaded; nothing was loaded. `problems` holds
    one line per bad value: "objectives.json item 12: number: …"."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# The problems found by the current load: every file is checked before anything is kept.
_problems: ContextVar[list[str]] = ContextVar("reference_data_problems")


def _report(problem: str) -> None:
    _problems.get().append(problem)


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
    problems: list[str] = []
    token = _problems.set(problems)
    try:
        return _load_all(update=update, problems=problems)
    finally:
        _problems.reset(token)


def _load_all(*, update: bool, problems: list[str]) -> list[TableSummary]:
    with transaction.atomic():
        summaries = [
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
        if problems:
            # Raising inside the transaction rolls back the tables already written.
            raise ReferenceDataError(list(dict.fromkeys(problems)))
        return summaries


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
    known = set(Country.objects.values_list("code", flat=True))
    for row in rows:
        for code in sorted(set(row.get("countries", [])) - known):
            _report(f"{row[WHERE]}: countries: no country {code!r}")
    shipped_countries = {row["code"]: set(row.pop("countries", [])) for row in rows}
    summary = sync_rows(SupportPlatform, rows, key=("code",), update=update)

    through = SupportPlatform.countries.through
    platform_ids = dict(SupportPlatform.objects.values_list("code", "id"))
    linked = set(through.objects.values_list("supportplatform_id", "country_id"))
    links = []
    for code, countries in shipped_countries.items():
        platform_id = platform_ids.get(code)
        if platform_id is None:  # a bad row, already reported
            continue
        missing = sorted(c for c in countries if (platform_id, c) not in linked)
        if not missing:
            continue
        row_key = (code,)
        if row_key in summary.created_keys or update:
            links += [
                through(supportplatform_id=platform_id, country_id=c) for c in missing if c in known
            ]
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
    existing = {
        tuple(getattr(obj, name) for name in key): obj for obj in model._default_manager.all()
    }
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    changed_fields: set[str] = set()
    seen: dict[Key, str] = {}
    for row in rows:
        where = row.pop(WHERE, opts.model_name)
        values = _clean(model, row, where)
        if values is None:
            continue
        row_key = tuple(values[name] for name in key)
        if row_key in seen:
            _report(f"{where}: {', '.join(key)}: the same as {seen[row_key]}")
            continue
        seen[row_key] = where
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
    # Written even after a problem (the load rolls everything back at the end), so that later
    # files are checked against these rows instead of reporting every child of a bad parent.
    if to_create or to_update:
        try:
            with transaction.atomic():
                model._default_manager.bulk_create(to_create)
                if to_update:
                    model._default_manager.bulk_update(to_update, sorted(changed_fields))
        except IntegrityError as error:
            _report(f"{summary.label}: {error}".strip())
    summary.created = len(to_create)
    summary.updated = len(to_update)
    return summary


def _clean(model: type[models.Model], row: Row, where: str) -> Row | None:
    """The row's values as Python values, or None after recording every bad value with its
    place. Checks each field as the model declares it (type, length, choices, digits) without
    a query: foreign keys come from lookups that report their own misses."""
    opts = model._meta
    values: Row = {}
    errors: dict[str, list[str]] = {}
    for name, value in row.items():
        field = opts.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{name} is a reverse relation, not a column of {opts.label}")
        try:
            values[name] = field.to_python(value)
        except ValidationError as error:
            errors[name] = error.messages
        except FieldDoesNotExist:
            errors[name] = ["not a column of this table"]
    if not errors:
        foreign = [f.name for f in opts.concrete_fields if f.is_relation]
        try:
            model(**values).clean_fields(exclude=foreign)
        except ValidationError as error:
            errors.update(error.message_dict)
    for name, messages in errors.items():
        for message in messages:
            _report(f"{where}: {name}: {message}")
    return None if errors else values


def _read_json(name: str) -> list[Row]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        rows = json.load(f)
    for number, row in enumerate(rows, start=1):
        row[WHERE] = f"{name} item {number}"
    return rows


def _read_csv(name: str) -> list[Row]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        # An empty cell means "not shipped" (e.g. Antarctica's region), like a key left out of JSON.
        return [
            {**{k: v for k, v in row.items() if v != ""}, WHERE: f"{name} line {number}"}
            for number, row in enumerate(csv.DictReader(f), start=2)
        ]


def _with_compact_ids(rows: list[Row]) -> list[Row]:
    """Replace each row's compact code by the compact's id."""
    compact_ids = dict(Compact.objects.values_list("code", "id"))
    kept = []
    for row in rows:
        code = row.pop("compact", None)
        if code not in compact_ids:
            _report(f"{row.get(WHERE)}: compact: no compact {code!r}")
            continue
        row["compact_id"] = compact_ids[code]
        kept.append(row)
    return kept


def _with_objective_ids(rows: list[Row], *, keep_compact: bool = False) -> list[Row]:
    """Replace each row's compact code and objective number by the objective's id (and, for
    models that also point at the compact, the compact's id)."""
    objective_ids = {
        (code, number): (compact_id, objective_id)
        for code, number, compact_id, objective_id in Objective.objects.values_list(
            "compact__code", "number", "compact_id", "id"
        )
    }
    kept = []
    for row in rows:
        wanted = (row.pop("compact", None), row.pop("objective", None))
        if wanted not in objective_ids:
            _report(f"{row.get(WHERE)}: objective: no objective {wanted[0]}-{wanted[1]}")
            continue
        compact_id, row["objective_id"] = objective_ids[wanted]
        if keep_compact:
            row["compact_id"] = compact_id
        kept.append(row)
    return kept
