"""The `pledges` kind: one row, one pledge, keyed by its id in the source system.

`PledgeRows` resolves each row's cells to the tracker's records (entities by their look-alike
skeleton, countries by code or any language's name, objectives of the row's compact…), says
what the row would change on the pledge it names, and applies it through the pledge services,
so history, audit entries and progress marks are written as for any other change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compacts.models import Compact, GuidingPrinciple, Objective, ObjectiveAction, ThematicArea
from core.audit import record_change
from core.models import Country, Currency
from forums.models import Forum
from partnerships.models import MultistakeholderMembership, MultistakeholderPledge
from partnerships.services import link_pledge
from pledges.exceptions import StaleVersion
from pledges.models import (
    LANGUAGE_CODES,
    Entity,
    EntityType,
    GeographyScope,
    ImplementationStatus,
    ParticipantRole,
    ParticipantStatus,
    Pledge,
    PledgeParticipant,
    ReviewState,
    SupportType,
)
from pledges.names import cased_name_skeleton, name_skeleton
from pledges.progress_marks import progress_changed
from pledges.services import PLEDGE_SETS, PledgeInput, update_pledge, validate_pledge
from pledges.services.bulk import NewPledge, check_new_pledge, create_pledges
from pledges.services.feed import feed_entities, feed_pledges

from . import values
from .fields import header_language, normalise_header
from .readers import Cell

if TYPE_CHECKING:
    from accounts.models import User

# Currency marks that name one currency for sure; "$" alone or "¥" do not.
CURRENCY_SIGNS = {"US$": "USD", "$US": "USD", "USD$": "USD", "€": "EUR", "£": "GBP", "CHF": "CHF"}
AMBIGUOUS_SIGNS = {"$", "¥", "KR", "R"}
OBJECTIVE_TOKEN = re.compile(
    r"^(?:(GCR|GCM)\s*[-:]?\s*)?(?:objective\s*|obj\.?\s*|objectif\s*)?(\d{1,2})\b", re.I
)
ACTION_TOKEN = re.compile(r"^(?:(GCR|GCM)\s*)?(\d{1,2})\s*\(?([a-z]{1,2})\)?$", re.I)
DEFAULT_ENTITY_TYPE = "other"


@dataclass
class Problem:
    """One thing wrong with a row: which column, its value, and what is wrong."""

    column: str
    value: str
    message: str


@dataclass
class RowOutcome:
    number: int
    external_id: str = ""
    action: str = ""  # "create", "update", "unchanged" or "error"
    reference: str = ""
    changes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class RowError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def _key(text: str) -> str:
    return normalise_header(text)


def _names(
    model: type[models.Model], field_name: str, languages: Iterable[str] | None = None
) -> list[str]:
    """The translated columns of a field (name, name_en, name_fr, …) that exist, of
    `languages` (default: all)."""
    columns = [field_name]
    codes = [code for code, _label in settings.LANGUAGES] if languages is None else languages
    for code in codes:
        column = f"{field_name}_{code.replace('-', '_')}"
        try:
            model._meta.get_field(column)
        except Exception:  # noqa: S112 — a field without translations
            continue
        columns.append(column)
    return columns


def _index(rows: Iterable[models.Model], *attributes: str) -> dict[str, Any]:
    index: dict[str, Any] = {}
    for row in rows:
        for attribute in attributes:
            value = getattr(row, attribute, None)
            if value:
                index.setdefault(_key(str(value)), row)
    return index


def _choices(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """{normalised value or label in any language: value} of a TextChoices."""
    found: dict[str, str] = {}
    pairs = list(choices)
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            for value, label in pairs:
                found.setdefault(_key(str(label)), value)
    for value, _label in pairs:
        found[_key(value)] = value
    return found


@dataclass
class Current:
    """What an existing pledge holds besides its own columns (`PledgeRows.prepare`): its sets,
    its co-pledgers' and its multistakeholder pledges' ids."""

    sets: dict[str, list[Any]] = field(default_factory=dict)
    participants: set[int] = field(default_factory=set)
    msps: set[int] = field(default_factory=set)


@dataclass
class Options:
    by: User
    reason: str
    create_verified: bool = False
    publish: bool = True
    # A dry run checks new pledges without writing them (`PledgeRows.flush`).
    commit: bool = True


class Lookups:
    """The reference data an import resolves names against, read once per import."""

    def __init__(self, language: str | None = None) -> None:
        # Country names are read in English and in the language of the file's headers only:
        # "Kenia" in an English file is a typo of Kenya, not Spanish.
        country_languages = ["en", *([language] if language else [])]
        self.compacts = _index(Compact.objects.all(), "code", *_names(Compact, "name"))
        self.forums = _index(Forum.objects.all(), "code", "name")
        countries = list(Country.objects.all())
        self.countries = _index(
            countries, "code", "iso3", *_names(Country, "name", country_languages)[1:]
        )
        self.country_names = {_key(getattr(c, "name_en", "") or c.name): c for c in countries}
        self.currencies = {c.code: c for c in Currency.objects.all()}
        self.support_types = _index(SupportType.objects.all(), "code", *_names(SupportType, "name"))
        self.entity_types = _index(EntityType.objects.all(), "code", *_names(EntityType, "name"))
        self.objectives = {
            (o.compact.code, o.number): o for o in Objective.objects.select_related("compact")
        }
        self.actions = {
            (a.objective.compact.code, a.objective.number, a.letter): a
            for a in ObjectiveAction.objects.select_related("objective__compact")
        }
        self.thematic_areas: dict[tuple[int, str], ThematicArea] = {}
        for area in ThematicArea.objects.all():
            for name in ("slug", *_names(ThematicArea, "name")):
                value = getattr(area, name, None)
                if value:
                    self.thematic_areas.setdefault((area.compact_id, _key(value)), area)
        self.msps = _index(
            MultistakeholderPledge.objects.all(), "slug", *_names(MultistakeholderPledge, "title")
        )
        # The records of a pledge's sets by id (`PledgeRows.prepare`).
        self.by_id: dict[str, dict[Any, models.Model]] = {
            "objectives": {o.pk: o for o in self.objectives.values()},
            "actions": {a.pk: a for a in self.actions.values()},
            "principles": {p.pk: p for p in GuidingPrinciple.objects.all()},
            "thematic_areas": {a.pk: a for a in ThematicArea.objects.all()},
            "support_types": {s.pk: s for s in SupportType.objects.all()},
            "beneficiary_countries": {c.pk: c for c in countries},
        }
        self.statuses = _choices(ImplementationStatus.choices)
        self.scopes = _choices(GeographyScope.choices)


class PledgeRows:
    """Resolves and applies the rows of one pledges file."""

    def __init__(self, mapping: Mapping[str, str], options: Options) -> None:
        # field key → the column (header) it is read from
        self.columns = {key: header for header, key in mapping.items() if key}
        self.options = options
        self.lookups = Lookups(header_language(list(mapping)))
        self.seen_ids: dict[tuple[str, str], int] = {}
        # Entities already matched or created in this run, by the name as written: a file names
        # the same few entities on thousands of rows. Entries added by a row that fails are
        # dropped with its savepoint (`outcome`).
        self.entities: dict[str, Entity] = {}
        self.row_entities: list[str] = []
        # New pledges checked and waiting to be written together (`flush`), with the row each
        # came from and the MSP it joins.
        self.pending: list[tuple[RowOutcome, NewPledge, MultistakeholderPledge | None]] = []
        # The pledges the rows being read name (`prepare`), by (compact id, external id).
        self.existing: dict[tuple[int, str], Pledge] = {}
        self.current: dict[int, Current] = {}
        self.prepared_ids: set[str] = set()
        # The live entities that look like each name the rows being read give (`prepare`), for
        # names that have some; the others are looked up (and created) as their row comes.
        self.entity_candidates: dict[str, list[Entity]] = {}
        # The savepoint of the row being applied (`outcome`), taken before its first write.
        self.row_open = False
        self.row_savepoint: str | None = None

    # --- reading one row --------------------------------------------------------------------

    def outcome(self, number: int, cells: Mapping[str, Cell]) -> RowOutcome:
        """What the row does, applied (the caller decides whether the transaction stays).

        A row in error leaves nothing: its writes are rolled back to a savepoint taken before
        the first of them (`_writing`). Most rows write nothing here (new pledges are written
        by `flush`, unchanged rows not at all), and a savepoint for each cost two round trips a
        row, half the time of a re-import of an unchanged file."""
        result = RowOutcome(number=number)
        problems: list[Problem] = []
        self.row_entities = []
        self.row_open, self.row_savepoint = True, None
        try:
            self._apply_row(result, cells, problems)
            if problems:
                raise RowError(problems)
        except RowError as error:
            if self.row_savepoint is not None:
                transaction.savepoint_rollback(self.row_savepoint)
            result.action = "error"
            result.problems = error.problems
            for name in self.row_entities:
                self.entities.pop(name, None)
        else:
            if self.row_savepoint is not None:
                transaction.savepoint_commit(self.row_savepoint)
        finally:
            # Any other exception ends the import, whose transaction then rolls back.
            self.row_open, self.row_savepoint = False, None
        return result

    def _writing(self) -> None:
        """Called before each write of a row: the row's savepoint, if it has none yet. (The
        other kinds' rows each run in a savepoint of their own: nothing to do for them.)"""
        if self.row_open and self.row_savepoint is None:
            self.row_savepoint = transaction.savepoint()

    def prepare(self, rows: Sequence[Mapping[str, Cell]]) -> None:
        """Read the pledges the next rows name, with everything their comparison needs, in a
        few queries rather than some twenty per row."""
        ids = {values.text(self._cell(cells, "external_id")) for cells in rows} - {""}
        found = list(
            Pledge.objects.filter(external_id__in=ids).select_related(
                "entity", "compact", "forum", "currency", "support_platform"
            )
        )
        self.existing = {(p.compact_id, p.external_id): p for p in found}
        self.prepared_ids = ids
        self.current = self._read_current([p.pk for p in found])
        self._prepare_entities(rows)

    def _read_current(self, pledge_ids: list[int]) -> dict[int, Current]:
        """The sets, co-pledgers and MSPs of the pledges `pledge_ids`: their ids in one query
        each, their records from the look-ups. (Django's prefetch_related built a queryset
        for each pledge and set, most of the time of a re-import of an unchanged file.)"""
        current = {pk: Current() for pk in pledge_ids}
        if not pledge_ids:
            return current
        for name in PLEDGE_SETS:
            field = Pledge._meta.get_field(name)
            through = field.remote_field.through  # type: ignore[union-attr]  # an M2M field
            target = f"{field.m2m_reverse_field_name()}_id"  # type: ignore[union-attr]  # same
            records = self.lookups.by_id[name]
            pairs = (
                through.objects.filter(pledge_id__in=pledge_ids)
                .order_by("pk")
                .values_list("pledge_id", target)
            )
            for pledge_id, related_id in pairs:
                current[pledge_id].sets.setdefault(name, []).append(records[related_id])
        participants = PledgeParticipant.objects.filter(pledge_id__in=pledge_ids).values_list(
            "pledge_id", "entity_id"
        )
        for pledge_id, entity_id in participants:
            current[pledge_id].participants.add(entity_id)
        memberships = MultistakeholderMembership.objects.filter(
            pledge_id__in=pledge_ids
        ).values_list("pledge_id", "msp_id")
        for pledge_id, msp_id in memberships:
            current[pledge_id].msps.add(msp_id)
        return current

    def _before(self, existing: Pledge) -> tuple[PledgeInput, Current]:
        """What `existing` holds now, as `PledgeInput.from_pledge` reads it (without its
        targets, which an import leaves as they are)."""
        current = self.current.pop(existing.pk, None)
        if current is None:  # not read by `prepare`
            return PledgeInput.from_pledge(existing), Current(
                participants={p.entity_id for p in existing.participants.all()},
                msps={m.msp_id for m in existing.msp_memberships.all()},
            )
        before = PledgeInput.from_pledge(existing, sets=current.sets)
        return before, current

    def _prepare_entities(self, rows: Sequence[Mapping[str, Cell]]) -> None:
        """Look up every entity the next rows name and this run has not met yet, in one query
        rather than one a name (`find_or_create_entity` uses what is found)."""
        names: set[str] = set()
        for cells in rows:
            if "entity" in self.columns:
                names.add(values.text(self._cell(cells, "entity")))
            if "co_pledgers" in self.columns:
                names.update(values.items(self._cell(cells, "co_pledgers")))
        keys = {
            name: (name_skeleton(name), cased_name_skeleton(name))
            for name in {" ".join(name.split()) for name in names}
            if name and name not in self.entities
        }
        self.entity_candidates = {}
        if not keys:
            return
        found = list(
            Entity.objects.filter(
                models.Q(name_skeleton__in={key[0] for key in keys.values()})
                | models.Q(cased_name_skeleton__in={key[1] for key in keys.values()}),
                declined_at__isnull=True,
            )
        )
        for name, (skeleton, cased) in keys.items():
            # As `Entity.objects.looking_like(name)` would find them.
            candidates = [
                e for e in found if e.name_skeleton == skeleton or e.cased_name_skeleton == cased
            ]
            if candidates:
                self.entity_candidates[name] = candidates

    def _existing(self, compact: Compact, external_id: str) -> Pledge | None:
        if external_id in self.prepared_ids:
            return self.existing.pop((compact.pk, external_id), None)
        return (
            Pledge.objects.filter(compact=compact, external_id=external_id)
            .select_related("entity", "compact", "forum", "currency")
            .first()
        )

    def _cell(self, cells: Mapping[str, Cell], key: str) -> Cell:
        header = self.columns.get(key)
        return cells.get(header) if header is not None else None

    def _problem(self, problems: list[Problem], key: str, cell: Cell, message: str) -> None:
        problems.append(Problem(self.columns.get(key, key), values.text(cell), message))

    def _parse(
        self,
        problems: list[Problem],
        cells: Mapping[str, Cell],
        key: str,
        parse: Callable[[Cell], Any],
    ) -> Any:
        cell = self._cell(cells, key)
        try:
            return parse(cell)
        except values.BadValue as error:
            self._problem(problems, key, cell, str(error))
            return None

    def _apply_row(
        self, result: RowOutcome, cells: Mapping[str, Cell], problems: list[Problem]
    ) -> None:
        external_id = values.text(self._cell(cells, "external_id"))
        result.external_id = external_id
        if not external_id:
            self._problem(
                problems, "external_id", None, _("Give the pledge's id in the source system.")
            )
        forum = self._parse(problems, cells, "forum", self._forum)
        compact = self._parse(problems, cells, "compact", lambda c: self._compact(c, forum))
        if compact is None:
            raise RowError(problems)
        previous = self.seen_ids.get((compact.code, external_id))
        if external_id and previous is not None:
            self._problem(
                problems,
                "external_id",
                external_id,
                _("This id is also on row %(row)s of the file.") % {"row": previous},
            )
            raise RowError(problems)
        self.seen_ids[(compact.code, external_id)] = result.number
        existing = self._existing(compact, external_id)
        # What the pledge holds now (compared with the row by `_changes`) and, in a copy, what
        # the row makes of it.
        before, current = self._before(existing) if existing else (None, None)
        data = dataclasses.replace(before) if before else None
        entity_country = self._parse(
            problems,
            cells,
            "entity_country",
            lambda c: self._country(values.text(c)) if c else None,
        )
        entity_type = self._parse(problems, cells, "entity_type", self._entity_type)
        entity = self._parse(
            problems, cells, "entity", lambda c: self._entity(c, entity_country, entity_type)
        )
        if data is None:
            if entity is None and "entity" in self.columns and not problems:
                self._problem(problems, "entity", None, _("Name the submitting entity."))
            data = PledgeInput(
                title="", description="", compact=compact, forum=forum, entity=entity, targets=None
            )
        data.external_id = external_id
        data.targets = None  # an import leaves targets as they are
        if problems:
            raise RowError(problems)
        wanted = self._read_content(data, cells, problems, compact, forum, entity)
        if problems:
            raise RowError(problems)
        self._save(result, existing, before, current, data, wanted, problems)

    def _read_content(
        self,
        data: PledgeInput,
        cells: Mapping[str, Cell],
        problems: list[Problem],
        compact: Compact,
        forum: Forum | None,
        entity: Entity | None,
    ) -> dict[str, Any]:
        """Set `data` from the mapped columns; the values that are not pledge content (status,
        co-pledgers, MSP) are returned."""
        columns = self.columns
        if "forum" in columns:
            data.forum = forum
        if entity is not None:
            data.entity = entity
        if "title" in columns:
            data.title = values.text(self._cell(cells, "title"))
        if "description" in columns:
            cell = self._cell(cells, "description")
            data.description = "" if cell is None else str(cell).strip()
        # (column key, PledgeInput attribute, parser, whether a blank cell clears the value)
        readers: tuple[tuple[str, str, Callable[[Cell], Any], bool], ...] = (
            ("language", "language", self._language, False),
            ("objectives", "objectives", lambda c: self._objectives(c, compact), False),
            ("actions", "actions", lambda c: self._actions(c, compact), False),
            ("countries", "beneficiary_countries", self._countries, False),
            ("support_types", "support_types", self._support_types, False),
            ("thematic_areas", "thematic_areas", lambda c: self._thematic_areas(c, compact), False),
            ("amount", "amount", values.amount, True),
            ("currency", "currency", self._currency, True),
            ("announced_on", "announced_on", values.date, False),
            ("scope", "geography_scope", self._scope, False),
        )
        for key, attribute, parse, clears in readers:
            if key in columns:
                parsed = self._parse(problems, cells, key, parse)
                if parsed is not None or clears:
                    setattr(data, attribute, parsed)
        wanted: dict[str, Any] = {}
        if "status" in columns:
            wanted["status"] = self._parse(problems, cells, "status", self._status)
        if "co_pledgers" in columns:
            wanted["co_pledgers"] = self._parse(problems, cells, "co_pledgers", self._entities)
        if "msp" in columns:
            wanted["msp"] = self._parse(problems, cells, "msp", self._msp)
        return wanted

    # --- cells to records ------------------------------------------------------------------

    def _forum(self, cell: Cell) -> Forum | None:
        raw = values.text(cell)
        if not raw:
            return None
        forum = self.lookups.forums.get(_key(raw))
        if forum is None:
            codes = ", ".join(sorted(f.code for f in set(self.lookups.forums.values())))
            raise values.BadValue(
                _("No forum “%(value)s”; the forums are: %(codes)s.")
                % {"value": raw, "codes": codes}
            )
        return forum

    def _compact(self, cell: Cell, forum: Forum | None) -> Compact | None:
        raw = values.text(cell)
        if not raw:
            if forum is not None:
                return forum.compact
            raise values.BadValue(_("Name the compact (GCR or GCM), or the forum."))
        compact = self.lookups.compacts.get(_key(raw))
        if compact is None:
            raise values.BadValue(
                _("“%(value)s” is not a compact: write GCR or GCM.") % {"value": raw}
            )
        if forum is not None and forum.compact_id != compact.pk:
            raise values.BadValue(
                _("%(forum)s is a forum of the other compact.") % {"forum": forum.code}
            )
        return compact

    def _language(self, cell: Cell) -> str | None:
        raw = values.text(cell).lower().replace("_", "-")
        if not raw:
            return None
        if raw in LANGUAGE_CODES:
            return raw
        for code in LANGUAGE_CODES:
            info = translation.get_language_info(code)
            if _key(raw) in {_key(info["name"]), _key(info["name_local"])}:
                return code
        raise values.BadValue(
            _("“%(value)s” is not one of the site's languages (%(codes)s).")
            % {"value": raw, "codes": ", ".join(LANGUAGE_CODES)}
        )

    def _objectives(self, cell: Cell, compact: Compact) -> list[Objective]:
        found = []
        for item in values.items(cell, commas=True):
            match = OBJECTIVE_TOKEN.match(item.strip())
            if match is None:
                raise values.BadValue(
                    _("“%(value)s” is not an objective: write e.g. “GCR 2” or “2”.")
                    % {"value": item}
                )
            code = (match.group(1) or compact.code).upper()
            if code != compact.code:
                raise values.BadValue(
                    _("“%(value)s” is an objective of the %(other)s, not of the %(compact)s.")
                    % {"value": item, "other": code, "compact": compact.code}
                )
            objective = self.lookups.objectives.get((code, int(match.group(2))))
            if objective is None:
                raise values.BadValue(
                    _("The %(compact)s has no objective %(number)s.")
                    % {"compact": code, "number": match.group(2)}
                )
            found.append(objective)
        return found

    def _actions(self, cell: Cell, compact: Compact) -> list[ObjectiveAction]:
        found = []
        for item in values.items(cell, commas=True):
            match = ACTION_TOKEN.match(item.strip().replace(" ", ""))
            code = (match.group(1) or compact.code).upper() if match else ""
            action = (
                self.lookups.actions.get((code, int(match.group(2)), match.group(3).lower()))
                if match
                else None
            )
            if action is None:
                raise values.BadValue(
                    _("“%(value)s” is not an action of the %(compact)s: write e.g. “23(a)”.")
                    % {"value": item, "compact": compact.code}
                )
            found.append(action)
        return found

    def _country(self, raw: str) -> Country:
        country = self.lookups.countries.get(_key(raw))
        if country is not None:
            return country
        close = values.suggestion(_key(raw), self.lookups.country_names)
        if close:
            raise values.BadValue(
                _("Unknown country “%(value)s”: did you mean %(suggestion)s?")
                % {"value": raw, "suggestion": self.lookups.country_names[close].name}
            )
        raise values.BadValue(_("Unknown country “%(value)s”.") % {"value": raw})

    def _countries(self, cell: Cell) -> list[Country]:
        return [self._country(item) for item in values.items(cell)]

    def _support_types(self, cell: Cell) -> list[SupportType]:
        found = []
        for item in values.items(cell):
            support = self.lookups.support_types.get(_key(item))
            if support is None:
                names = ", ".join(s.name for s in set(self.lookups.support_types.values()))
                raise values.BadValue(
                    _("Unknown type of support “%(value)s”; the types are: %(names)s.")
                    % {"value": item, "names": names}
                )
            found.append(support)
        return found

    def _thematic_areas(self, cell: Cell, compact: Compact) -> list[ThematicArea]:
        found = []
        for item in values.items(cell):
            area = self.lookups.thematic_areas.get((compact.pk, _key(item)))
            if area is None:
                raise values.BadValue(
                    _("“%(value)s” is not a thematic area of the %(compact)s.")
                    % {"value": item, "compact": compact.code}
                )
            found.append(area)
        return found

    def _currency(self, cell: Cell) -> Currency | None:
        raw = values.text(cell).upper()
        if not raw:
            return None
        code = CURRENCY_SIGNS.get(raw, raw)
        if code in AMBIGUOUS_SIGNS:
            raise values.BadValue(
                _("“%(value)s” could be several currencies: write its ISO code, e.g. USD.")
                % {"value": values.text(cell)}
            )
        currency = self.lookups.currencies.get(code)
        if currency is None:
            raise values.BadValue(
                _("“%(value)s” is not an ISO 4217 currency code we know (e.g. USD, EUR).")
                % {"value": values.text(cell)}
            )
        return currency

    def _status(self, cell: Cell) -> str | None:
        raw = values.text(cell)
        if not raw:
            return None
        status = self.lookups.statuses.get(_key(raw))
        if status is None:
            raise values.BadValue(
                _("Unknown status “%(value)s”; the statuses are: %(names)s.")
                % {
                    "value": raw,
                    "names": ", ".join(str(c.label) for c in ImplementationStatus),
                }
            )
        return status

    def _scope(self, cell: Cell) -> str | None:
        raw = values.text(cell)
        if not raw:
            return None
        scope = self.lookups.scopes.get(_key(raw))
        if scope is None:
            raise values.BadValue(_("Unknown geographic scope “%(value)s”.") % {"value": raw})
        return scope

    def _msp(self, cell: Cell) -> MultistakeholderPledge | None:
        raw = values.text(cell)
        if not raw:
            return None
        msp = self.lookups.msps.get(_key(raw))
        if msp is None:
            raise values.BadValue(_("No multistakeholder pledge “%(value)s”.") % {"value": raw})
        return msp

    # --- entities --------------------------------------------------------------------------

    def _entity(
        self, cell: Cell, country: Country | None, entity_type: EntityType | None
    ) -> Entity | None:
        raw = values.text(cell)
        if not raw:
            return None
        return self.find_or_create_entity(raw, country=country, entity_type=entity_type)

    def _entity_type(self, cell: Cell) -> EntityType | None:
        raw = values.text(cell)
        if not raw:
            return None
        found = self.lookups.entity_types.get(_key(raw))
        if found is None:
            names = ", ".join(t.name for t in set(self.lookups.entity_types.values()))
            raise values.BadValue(
                _("Unknown entity type “%(value)s”; the types are: %(names)s.")
                % {"value": raw, "names": names}
            )
        return found

    def _entities(self, cell: Cell) -> list[Entity]:
        return [self.find_or_create_entity(item) for item in values.items(cell)]

    def find_or_create_entity(
        self, name: str, *, country: Country | None = None, entity_type: EntityType | None = None
    ) -> Entity:
        """The live entity whose name looks like `name` (the look-alike skeleton), else one
        with that acronym; created when there is none; an error listing the candidates when
        several match."""
        name = " ".join(name.split())
        known = self.entities.get(name)
        if known is not None:
            return known
        entity = self._match_or_create_entity(name, country, entity_type)
        self.entities[name] = entity
        self.row_entities.append(name)
        return entity

    def _match_or_create_entity(
        self, name: str, country: Country | None, entity_type: EntityType | None
    ) -> Entity:
        # Found by `prepare` (entities named on an earlier row of the chunk and created since
        # are in `self.entities` already), else looked up now.
        candidates = self.entity_candidates.pop(name, None) or list(
            Entity.objects.looking_like(name)
        )
        if not candidates:
            acronym = Entity.objects.filter(acronym__iexact=name, declined_at__isnull=True)
            if country is not None:
                acronym = acronym.filter(country=country)
            candidates = list(acronym[:6])
        if len(candidates) > 1:
            listed = "; ".join(
                f"{c.name} ({c.country.name if c.country else '—'})" for c in candidates[:5]
            )
            raise values.BadValue(
                _("“%(value)s” could be several entities: %(candidates)s. Write the full name.")
                % {"value": name, "candidates": listed}
            )
        if candidates:
            return candidates[0]
        return self._create_entity(name, country, entity_type)

    def _create_entity(
        self, name: str, country: Country | None, entity_type: EntityType | None
    ) -> Entity:
        skeleton = name_skeleton(name)
        if not skeleton:
            raise values.BadValue(_("Enter the entity's name."))
        entity_type = entity_type or self.lookups.entity_types[_key(DEFAULT_ENTITY_TYPE)]
        verified = self.options.create_verified
        self._writing()
        entity = Entity.objects.create(
            name=name,
            name_skeleton=skeleton,
            cased_name_skeleton=cased_name_skeleton(name),
            entity_type=entity_type,
            country=country,
            is_verified=verified,
            verified_at=timezone.now() if verified else None,
        )
        record_change(
            entity, action="imports.entity.created", by=self.options.by, reason=self.options.reason
        )
        feed_entities([entity.pk])
        return entity

    # --- what changes, and applying it -----------------------------------------------------

    def _changes(
        self,
        existing: Pledge,
        before: PledgeInput,
        current: Current,
        data: PledgeInput,
        wanted: Mapping[str, Any],
    ) -> list[str]:
        changed = []
        for name in (
            "title",
            "description",
            "language",
            "forum",
            "amount",
            "currency",
            "announced_on",
            "geography_scope",
        ):
            old, new = getattr(before, name), getattr(data, name)
            if isinstance(old, Decimal) and isinstance(new, Decimal):
                same = old == new
            else:
                same = old == new
            if not same:
                changed.append(name)
        for name in (
            "objectives",
            "actions",
            "thematic_areas",
            "support_types",
            "beneficiary_countries",
        ):
            if {o.pk for o in getattr(before, name)} != {o.pk for o in getattr(data, name)}:
                changed.append(name)
        if wanted.get("status") and wanted["status"] != existing.implementation_status:
            changed.append("implementation_status")
        if wanted.get("co_pledgers") is not None:
            if {e.pk for e in wanted["co_pledgers"]} - current.participants:
                changed.append("co_pledgers")
        msp = wanted.get("msp")
        if msp is not None and msp.pk not in current.msps:
            changed.append("msp")
        if self.options.publish and existing.review_state in (ReviewState.DRAFT,):
            changed.append("review_state")
        return changed

    def _save(
        self,
        result: RowOutcome,
        existing: Pledge | None,
        before: PledgeInput | None,
        current: Current | None,
        data: PledgeInput,
        wanted: Mapping[str, Any],
        problems: list[Problem],
    ) -> None:
        if existing is None or before is None or current is None:
            self._queue(result, data, wanted, problems)
            return
        by, reason = self.options.by, self.options.reason
        try:
            result.changes = self._changes(existing, before, current, data, wanted)
            if not result.changes:
                result.action = "unchanged"
                result.reference = existing.reference
                return
            result.action = "update"
            self._writing()
            pledge = existing
            if any(
                c not in {"implementation_status", "co_pledgers", "msp", "review_state"}
                for c in result.changes
            ):
                pledge = update_pledge(pledge=existing, data=data, by=by, reason=reason)
            result.reference = pledge.reference
            self._apply_extras(pledge, wanted)
        except ValidationError as error:
            self._validation_problems(problems, error)
            raise RowError(problems) from None
        except (PermissionDenied, StaleVersion) as error:
            problems.append(Problem("", result.external_id, str(error)))
            raise RowError(problems) from None
        except values.BadValue as error:
            problems.append(Problem("", result.external_id, str(error)))
            raise RowError(problems) from None

    def _queue(
        self,
        result: RowOutcome,
        data: PledgeInput,
        wanted: Mapping[str, Any],
        problems: list[Problem],
    ) -> None:
        """Check a new pledge now, with every rule `create_pledges` applies, and keep it for
        `flush`: the file's new pledges are written together."""
        published_at = None
        if self.options.publish:
            # Published as the source system had it, on the day it was announced.
            announced = data.announced_on or (data.forum.start_date if data.forum else None)
            published_at = (
                dt.datetime.combine(announced, dt.time(12), tzinfo=dt.UTC)
                if announced
                else timezone.now()
            )
        item = NewPledge(
            data=data,
            published_at=published_at,
            implementation_status=wanted.get("status"),
            co_pledgers=[e for e in wanted.get("co_pledgers") or () if e.pk != data.entity.pk],
        )
        try:
            check_new_pledge(item)
        except ValidationError as error:
            self._validation_problems(problems, error)
            raise RowError(problems) from None
        result.action = "create"
        self.pending.append((result, item, wanted.get("msp")))

    def flush(self) -> None:
        """Write the new pledges checked since the last flush (a dry run writes nothing)."""
        pending, self.pending = self.pending, []
        if not pending or not self.options.commit:
            return
        by, reason = self.options.by, self.options.reason
        pledges = create_pledges([item for _row, item, _msp in pending], by=by, reason=reason)
        for (row, _item, msp), pledge in zip(pending, pledges, strict=True):
            row.reference = pledge.reference
            if msp is not None:
                link_pledge(msp=msp, pledge=pledge, by=by, message=reason)

    def _apply_extras(self, pledge: Pledge, wanted: Mapping[str, Any]) -> None:
        by, reason = self.options.by, self.options.reason
        for entity in wanted.get("co_pledgers") or ():
            if entity.pk == pledge.entity_id:
                continue
            _participant, created = PledgeParticipant.objects.get_or_create(
                pledge=pledge,
                entity=entity,
                defaults={
                    "role": ParticipantRole.CO_PLEDGER,
                    # The source system published them as joint pledgers: they had agreed.
                    "status": ParticipantStatus.ACCEPTED,
                    "responded_at": timezone.now(),
                },
            )
            if created:
                feed_pledges([pledge.pk])
                record_change(
                    pledge,
                    action="imports.participant.added",
                    by=by,
                    reason=reason,
                    data={"entity": entity.name},
                )
        status = wanted.get("status")
        if self.options.publish and pledge.review_state == ReviewState.DRAFT:
            self._publish(pledge, status)
        elif status and status != pledge.implementation_status:
            self._set_status(pledge, status)
        msp = wanted.get("msp")
        if msp is not None and not pledge.msp_memberships.filter(msp=msp).exists():
            link_pledge(msp=msp, pledge=pledge, by=by, message=reason)

    def _publish(self, pledge: Pledge, status: str | None) -> None:
        """Publish an imported draft as the source system had: it was public there. Its entity
        must be verified and its content complete, as for any publication."""
        pledge.refresh_from_db()
        if not pledge.entity.is_verified:
            raise values.BadValue(
                _(
                    "%(entity)s is not verified, so its pledge cannot be published: verify it "
                    "first, import created entities as verified, or import as drafts."
                )
                % {"entity": pledge.entity.name}
            )
        validate_pledge(PledgeInput.from_pledge(pledge), complete=True)
        announced = pledge.announced_on
        moment = (
            dt.datetime.combine(announced, dt.time(12), tzinfo=dt.UTC)
            if announced
            else timezone.now()
        )
        pledge.review_state = ReviewState.PUBLISHED
        pledge.submitted_at = pledge.submitted_at or moment
        pledge.published_at = moment
        if status:
            pledge.implementation_status = status
        pledge.version += 1
        progress_changed([pledge.pk], pledge.objectives.values_list("pk", flat=True))
        pledge._history_user = self.options.by  # type: ignore[attr-defined]  # simple_history's
        pledge._change_reason = self.options.reason  # type: ignore[attr-defined]  # switches
        pledge.save()
        feed_pledges([pledge.pk])
        record_change(
            pledge,
            action="imports.pledge.published",
            by=self.options.by,
            reason=self.options.reason,
            data={"from": ReviewState.DRAFT, "to": ReviewState.PUBLISHED},
        )

    def _set_status(self, pledge: Pledge, status: str) -> None:
        pledge.refresh_from_db()
        before = pledge.implementation_status
        pledge.implementation_status = status
        pledge.version += 1
        if pledge.review_state == ReviewState.PUBLISHED:
            progress_changed([pledge.pk], pledge.objectives.values_list("pk", flat=True))
        pledge._history_user = self.options.by  # type: ignore[attr-defined]  # simple_history's
        pledge._change_reason = self.options.reason  # type: ignore[attr-defined]  # switches
        pledge.save()
        feed_pledges([pledge.pk])
        record_change(
            pledge,
            action="imports.pledge.status",
            by=self.options.by,
            reason=self.options.reason,
            data={"from": before, "to": status},
        )

    def _validation_problems(self, problems: list[Problem], error: ValidationError) -> None:
        field_to_key = {
            "beneficiary_countries": "countries",
            "geography_scope": "scope",
            "entity": "entity",
        }
        messages: Mapping[str, Sequence[str]] = (
            error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        )
        for name, texts in messages.items():
            key = field_to_key.get(name, name)
            column = self.columns.get(key, "")
            for text in texts:
                problems.append(Problem(column or name, "", text))
