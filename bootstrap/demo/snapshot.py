"""A read-once snapshot of the reference data the demo is built from.

Nothing is assumed: the demo follows whatever `manage.py load_reference_data` and the secretariat
put in the reference tables, ordered so that random picks are reproducible.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

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
from pledges.models import EntityType, SupportType

from .words import THE_CODES, UN_MEMBER_CODES


class ReferenceDataMissingError(Exception):
    """The reference data the demo is built from is not in the database."""


@dataclass(frozen=True)
class ForumRef:
    """A past forum that pledges can be announced at, with the days they may be announced on."""

    id: int
    code: str
    compact_code: str
    kind: str
    year: int
    start_date: date | None
    dates: tuple[date, date]  # the forum's own days (or its whole year when undated)
    year_span: tuple[date, date]  # its year, up to the day before the demo's "today"


@dataclass(frozen=True)
class CompactRef:
    """One compact's ids, ordered by number or code so that random picks are reproducible."""

    id: int
    code: str
    objective_ids: tuple[int, ...]
    objective_numbers: dict[int, int]
    action_ids: dict[int, tuple[int, ...]]  # objective id -> its action ids
    principle_ids: tuple[int, ...]
    thematic_area_ids: tuple[int, ...]


@dataclass(frozen=True)
class PlatformRef:
    id: int
    code: str
    compact_code: str
    launched_year: int | None
    country_codes: tuple[str, ...]


@dataclass(frozen=True)
class CountryRef:
    code: str
    name: str  # for prose: "the Republic of Korea", "Kenya"
    short: str  # for names: "Korea Refugee Network", "Kenya Refugee Network"
    region: str


@dataclass(frozen=True)
class Reference:
    """Everything the generator needs from the reference tables, read once."""

    as_of: date
    compacts: dict[str, CompactRef]
    forums: tuple[ForumRef, ...]
    entity_types: dict[str, int]
    support_types: dict[str, int]
    countries: dict[str, CountryRef]
    member_codes: tuple[str, ...]
    currencies: frozenset[str]
    platforms: tuple[PlatformRef, ...]


def forum_is_past(*, start_date: date | None, year: int, as_of: date) -> bool:
    """Whether pledges can already have been announced at a forum: its first day (or, for a forum
    known only by its year, that whole year) lies before `as_of`."""
    if start_date is not None:
        return start_date < as_of
    return year < as_of.year


def load_reference(as_of: date) -> Reference:
    """Read the reference tables, or raise ReferenceDataMissingError saying what is missing."""
    hint = "Run `manage.py load_reference_data` first."
    compacts = list(Compact.objects.order_by("code"))
    if not compacts:
        raise ReferenceDataMissingError(f"No compacts in the database. {hint}")
    compact_refs: dict[str, CompactRef] = {}
    for compact in compacts:
        objectives = list(Objective.objects.filter(compact=compact).order_by("number"))
        actions: dict[int, list[int]] = defaultdict(list)
        for action in ObjectiveAction.objects.filter(objective__compact=compact).order_by(
            "objective__number", "letter"
        ):
            actions[action.objective_id].append(action.pk)
        compact_refs[compact.code] = CompactRef(
            id=compact.pk,
            code=compact.code,
            objective_ids=tuple(o.pk for o in objectives),
            objective_numbers={o.pk: o.number for o in objectives},
            action_ids={k: tuple(v) for k, v in actions.items()},
            principle_ids=tuple(
                GuidingPrinciple.objects.filter(compact=compact)
                .order_by("number")
                .values_list("pk", flat=True)
            ),
            thematic_area_ids=tuple(
                ThematicArea.objects.filter(compact=compact)
                .order_by("slug")
                .values_list("pk", flat=True)
            ),
        )
    last_day = as_of - timedelta(days=1)
    forums = []
    for forum in Forum.objects.select_related("compact").order_by("year", "start_date", "code"):
        if not forum_is_past(start_date=forum.start_date, year=forum.year, as_of=as_of):
            continue
        if not compact_refs[forum.compact.code].objective_ids:
            continue
        year_span = (date(forum.year, 1, 1), min(date(forum.year, 12, 31), last_day))
        if forum.start_date:
            end = min(forum.end_date or forum.start_date, last_day)
            dates = (forum.start_date, max(end, forum.start_date))
        else:
            dates = year_span
        forums.append(
            ForumRef(
                id=forum.pk,
                code=forum.code,
                compact_code=forum.compact.code,
                kind=forum.kind,
                year=forum.year,
                start_date=forum.start_date,
                dates=dates,
                year_span=(min(year_span[0], dates[0]), max(year_span[1], dates[1])),
            )
        )
    if not forums:
        raise ReferenceDataMissingError(
            f"No forum has taken place yet (none dated before {as_of}). {hint}"
        )
    entity_types = dict(EntityType.objects.order_by("position", "code").values_list("code", "pk"))
    support_types = dict(SupportType.objects.order_by("position", "code").values_list("code", "pk"))
    countries = {
        c.code: CountryRef(
            code=c.code,
            name=_display_country(c.code, c.name),
            short=_short_country(c.name),
            region=c.region,
        )
        for c in Country.objects.order_by("code")
    }
    currencies = frozenset(Currency.objects.values_list("code", flat=True))
    for what, rows in (
        ("entity types", entity_types),
        ("support types", support_types),
        ("countries", countries),
        ("currencies", currencies),
    ):
        if not rows:
            raise ReferenceDataMissingError(f"No {what} in the database. {hint}")
    members = tuple(c for c in UN_MEMBER_CODES if c in countries) or tuple(
        c for c, ref in countries.items() if ref.region
    )
    platforms = tuple(
        PlatformRef(
            id=p.pk,
            code=p.code,
            compact_code=p.compact.code,
            launched_year=p.launched_year,
            country_codes=tuple(sorted(c.code for c in p.countries.all())),
        )
        for p in SupportPlatform.objects.select_related("compact")
        .prefetch_related("countries")
        .order_by("code")
    )
    return Reference(
        as_of=as_of,
        compacts=compact_refs,
        forums=tuple(forums),
        entity_types=entity_types,
        support_types=support_types,
        countries=countries,
        member_codes=members or tuple(countries),
        currencies=currencies,
        platforms=platforms,
    )


def _short_country(name: str) -> str:
    """The name without its qualifier, for names: "Bolivia (Plurinational State of)" → "Bolivia",
    "Korea, Republic of" → "Korea"."""
    return name.split(" (", 1)[0].split(", ", 1)[0]


def _display_country(code: str, name: str) -> str:
    """The country as it reads in a sentence. UN short names put some qualifiers last, in
    brackets ("Bolivia (Plurinational State of)", "Netherlands (Kingdom of the)"), ISO's after a
    comma ("Korea, Republic of"), and UN usage puts "the" before some names ("the Niger")."""
    if name.endswith(")") and " (" in name:
        head, qualifier = name[:-1].split(" (", 1)
        return f"the {qualifier} {head}"
    if name.startswith("China, "):  # "China, Hong Kong Special Administrative Region"
        return f"{name.removeprefix('China, ')} of China"
    if ", " in name:
        head, qualifier = name.split(", ", 1)
        qualifier = qualifier[4:] if qualifier.startswith("The ") else qualifier
        return f"the {qualifier} {head}"
    return f"the {name}" if code in THE_CODES else name
