"""The pledging entities: a State for every UN member State and organisations of every type, with
fictitious but plausible names. Entities are matched by name and type, so a re-run reuses them."""

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.utils.text import slugify

from pledges.models import Entity
from pledges.names import cased_name_skeleton, name_skeleton

from .draws import acronym_of, ascii_only, at, day_between, stream
from .snapshot import Reference
from .words import (
    ACRONYM_TYPES,
    BRANDS,
    CAUSES,
    CITIES,
    COMPANY_SUFFIXES,
    DEMONYMS,
    DONOR_CODES,
    ENTITY_DESCRIPTIONS,
    FAITHS,
    FIELDS,
    FOCUS,
    HOST_CODES,
    HQ_CODES,
    IFI_REGIONS,
    IFI_UNITS,
    INDUSTRIES,
    ORG_NOUNS,
    ORG_SHARES,
    SHOWCASE_ENTITY,
    SPORT_UNITS,
    SPORTS,
    SURNAMES,
    TOPICS,
    UN_UNITS,
)
from .writer import Writer

Logger = Callable[[str], None]


@dataclass(frozen=True)
class EntityRef:
    """What pledge generation needs to know about an entity."""

    id: int
    name: str
    type_code: str
    country_code: str | None
    is_verified: bool


_Options = tuple[tuple[str, str | None], ...]


class _NameParts(NamedTuple):
    """The words an organisation name is made of, drawn in one order whatever the type (so the
    random stream, and the demo's rows, do not depend on how the patterns are grouped)."""

    country_code: str
    country: str
    of_country: str
    city: str
    city_country: str
    place: str
    place_country: str
    focus: str
    noun: str
    cause: str
    brand: str
    surname: str
    topic: str
    subject: str


def _org_name(rng: random.Random, type_code: str, ref: Reference) -> tuple[str, str | None]:
    """A plausible, fictitious organisation name for a type, and the country it implies (the
    country it is named after, or the country of the city it is named after)."""
    country_code = rng.choice(ref.member_codes)
    country, of_country = ref.countries[country_code].short, ref.countries[country_code].name
    city, city_country = rng.choice(CITIES)
    if city_country not in ref.countries:
        city, city_country = country, country_code
    use_city = rng.random() < 0.6
    place, place_country = (city, city_country) if use_city else (country, country_code)
    focus, noun, cause = rng.choice(FOCUS), rng.choice(ORG_NOUNS), rng.choice(CAUSES)
    brand, surname, topic = rng.choice(BRANDS), rng.choice(SURNAMES), rng.choice(TOPICS)
    subject = rng.choice(FIELDS)
    parts = _NameParts(
        country_code,
        country,
        of_country,
        city,
        city_country,
        place,
        place_country,
        focus,
        noun,
        cause,
        brand,
        surname,
        topic,
        subject,
    )
    options = _civil_society_names(rng, type_code, parts) or _public_body_names(
        rng, type_code, parts
    )
    return rng.choice(options)


def _civil_society_names(rng: random.Random, type_code: str, p: _NameParts) -> _Options | None:
    """Name patterns of the civil-society and private types; None for the others."""
    match type_code:
        case "ngo":
            return (
                (f"{p.place} {p.focus} {p.noun}", p.place_country),
                (f"{p.noun} for {p.cause} {p.place}", p.place_country),
                (f"{p.brand} {p.focus} {p.noun}", None),
            )
        case "refugee_led":
            demonym = rng.choice(DEMONYMS)
            return (
                (f"{demonym} {p.focus} {p.noun} {p.city}", p.city_country),
                (f"{demonym} Refugee {p.noun} in {p.place}", p.place_country),
            )
        case "faith_based":
            faith = rng.choice(FAITHS)
            return (
                (f"{faith} {p.noun} for {p.cause}", None),
                (f"{faith} {p.focus} Service {p.place}", p.place_country),
            )
        case "private_sector":
            return (
                (f"{p.brand} {rng.choice(INDUSTRIES)} {rng.choice(COMPANY_SUFFIXES)}", None),
                (f"{p.surname} & {rng.choice(SURNAMES)} {rng.choice(INDUSTRIES)}", None),
            )
        case "foundation":
            return (
                (f"{p.surname} Family Foundation", None),
                (f"{p.brand} Foundation for {p.cause}", None),
                (f"{p.place} Community Foundation", p.place_country),
            )
        case "ngo_international":
            return (
                (f"{p.brand} International", None),
                (f"International {p.noun} for {p.cause}", None),
            )
        case "migrant_diaspora":
            demonym = rng.choice(DEMONYMS)
            return (
                (f"{demonym} Diaspora Association of {p.city}", p.city_country),
                (f"{demonym} Migrant Workers' {p.noun}", None),
            )
        case "women_led":
            return (
                (f"Women for {p.cause} {p.place}", p.place_country),
                (f"{p.place} Women's {p.focus} {p.noun}", p.place_country),
            )
        case "trade_union":
            return (
                (f"{p.country} {rng.choice(INDUSTRIES)} Workers' Union", p.country_code),
                (f"{p.city} Federation of Trade Unions", p.city_country),
            )
        case "media":
            return (
                (f"{p.city} Community Radio", p.city_country),
                (f"{p.brand} News Network", None),
            )
        case "academia":
            return (
                (f"University of {p.city}", p.city_country),
                (f"{p.city} Institute of {p.subject}", p.city_country),
                (f"Centre for {p.subject}, University of {p.city}", p.city_country),
                (f"{p.surname} School of {p.subject}", None),
            )
        case _:
            return None


def _public_body_names(rng: random.Random, type_code: str, p: _NameParts) -> _Options:
    """Name patterns of public bodies, international organisations and the rest."""
    match type_code:
        case "local_authority":
            return (
                (f"City of {p.city}", p.city_country),
                (f"{p.city} City Council", p.city_country),
                (f"Municipality of {p.city}", p.city_country),
                (f"{p.city} Metropolitan Authority", p.city_country),
                (f"{p.city} Office for {p.topic}", p.city_country),
            )
        case "parliament":
            return (
                (f"Parliament of {p.of_country}", p.country_code),
                (f"Parliamentary Group on {p.topic}, {p.country}", p.country_code),
                (f"Standing Committee on {p.topic}, Parliament of {p.of_country}", p.country_code),
            )
        case "sports":
            unit = rng.choice(SPORT_UNITS)
            return ((f"{p.city} {rng.choice(SPORTS)} {unit}", p.city_country),)
        case "un_agency":
            unit = rng.choice(UN_UNITS)
            return (
                (f"International {p.topic} {unit}", None),
                (f"United Nations {p.topic} {unit}", None),
                (f"{rng.choice(IFI_REGIONS)} {unit} on {p.topic}", None),
            )
        case "nhri":
            return (
                (f"National Human Rights Commission of {p.of_country}", p.country_code),
                (f"Ombudsman of {p.of_country}", p.country_code),
            )
        case "red_cross":
            society = rng.choice(("Red Cross", "Red Crescent"))
            return ((f"{p.country} {society} Society", p.country_code),)
        case "regional_org":
            return ((f"{rng.choice(IFI_REGIONS)} Community on {p.topic}", None),)
        case "ifi":
            return (
                (f"{rng.choice(IFI_REGIONS)} {rng.choice(IFI_UNITS)}", None),
                (f"{p.country} Development Agency", p.country_code),
                (f"{p.brand} Impact Investment Fund", None),
            )
        case _:
            return ((f"{p.place} {p.focus} Working Group", p.place_country),)


def _org_country(rng: random.Random, type_code: str, ref: Reference) -> str:
    """Headquarters of an organisation whose name does not say where it is."""
    pool = HQ_CODES if type_code in {"un_agency", "ifi", "foundation"} else HOST_CODES + DONOR_CODES
    present = [c for c in pool if c in ref.countries]
    if present and rng.random() < 0.6:
        return rng.choice(present)
    return rng.choice(ref.member_codes)


ENTITY_COLUMNS = (
    "id",
    "name",
    "acronym",
    "entity_type_id",
    "country_id",
    "website",
    "description",
    "is_verified",
    "verified_at",
    "created_at",
    "updated_at",
    "name_skeleton",
    "cased_name_skeleton",
)


class _FreeKeys:
    """The look-alike keys register_entity stores; a generated name that looks like an earlier
    one keeps NULL, as migration 0014 does for real data (the unique indexes allow that)."""

    def __init__(self) -> None:
        self.taken: dict[str, set[str]] = {
            field: set(Entity.objects.exclude(**{field: None}).values_list(field, flat=True))
            for field in ("name_skeleton", "cased_name_skeleton")
        }

    def take(self, field: str, value: str) -> str | None:
        if value in self.taken[field]:
            return None
        self.taken[field].add(value)
        return value


def _entity_specs(
    rng: random.Random, *, ref: Reference, pledges: int
) -> list[tuple[str, str, str | None]]:
    """(name, type code, country code) of every entity, the showcase entity first."""
    specs: list[tuple[str, str, str | None]] = []
    taken: set[tuple[str, str]] = set()

    def add(name: str, type_code: str, country: str | None) -> None:
        if (name, type_code) in taken:
            # Rare below 100,000 pledges: a second chapter of the same organisation.
            base = f"{name} ({ref.countries[country].short})" if country else name
            name, n = base, 2
            while (name, type_code) in taken:
                name, n = f"{base} {n}", n + 1
        taken.add((name, type_code))
        specs.append((name, type_code, country))

    showcase_name, showcase_type = SHOWCASE_ENTITY
    if showcase_type not in ref.entity_types:
        showcase_type = next(iter(ref.entity_types))
    add(showcase_name, showcase_type, "KE" if "KE" in ref.countries else ref.member_codes[0])
    if "state" in ref.entity_types:
        for code in ref.member_codes:
            add(f"Government of {ref.countries[code].name}", "state", code)
    n_orgs = max(120, round(pledges * 0.3))
    org_types = [c for c in ref.entity_types if c != "state"]
    shares = {c: ORG_SHARES.get(c, 2) for c in org_types}
    total_share = sum(shares.values())
    for type_code in org_types:
        for _ in range(max(3, round(n_orgs * shares[type_code] / total_share))):
            name, country = _org_name(rng, type_code, ref)
            add(name, type_code, country or _org_country(rng, type_code, ref))
    return specs


def create_entities(
    *, ref: Reference, pledges: int, seed: int, writer: Writer, log: Logger
) -> tuple[list[EntityRef], EntityRef]:
    """Create (or reuse, matched by name and type) the pledging entities: a State for every UN
    member State and organisations of every other type, about 0.3 per pledge as in the real
    registry (1,300 actors for 3,500 pledges). Returns them in generation order, plus the
    verified showcase entity that the stakeholder account works for."""
    rng = stream(seed, "entities")
    existing = {
        (name, type_id): (pk, verified)
        for pk, name, type_id, verified in Entity.objects.values_list(
            "pk", "name", "entity_type_id", "is_verified"
        )
    }
    keys = _FreeKeys()
    last_day = ref.as_of - timedelta(days=1)
    first_day = min(date(2018, 6, 1), last_day)
    specs = _entity_specs(rng, ref=ref, pledges=pledges)
    showcase_name, _ = SHOWCASE_ENTITY

    refs: list[EntityRef] = []
    rows: list[list[Any]] = []  # new entities, their id still to be filled in
    positions: list[int] = []  # where each new entity sits in refs
    verified_types: set[str] = set()
    for name, type_code, country in specs:
        type_id = ref.entity_types[type_code]
        # Every type gets a verified entity, so that published pledges of every type exist.
        forced = type_code not in verified_types or name == showcase_name
        verified = forced or rng.random() < (0.92 if type_code == "state" else 0.8)
        registered_on = day_between(rng, first_day, last_day)
        verified_on = day_between(rng, registered_on, last_day)
        acronym = acronym_of(name) if rng.random() < 0.4 else ""
        has_website = rng.random() < 0.6
        topic = rng.choice(TOPICS).lower()
        if (name, type_id) in existing:
            pk, verified = existing[(name, type_id)]
            refs.append(EntityRef(pk, name, type_code, country, verified))
        else:
            description = ENTITY_DESCRIPTIONS.get(type_code, ENTITY_DESCRIPTIONS["other"])
            registered_at = at(registered_on, rng.randint(8, 17))
            verified_at = at(verified_on, 18) if verified else None
            rows.append(
                [
                    0,
                    name,
                    acronym if 3 <= len(acronym) <= 8 and type_code in ACRONYM_TYPES else "",
                    type_id,
                    country,
                    (
                        f"https://{slugify(ascii_only(name))[:50].strip('-')}.example.org"
                        if has_website
                        else ""
                    ),
                    description.format(
                        country=ref.countries[country].name if country else "several countries",
                        topic=topic,
                    ),
                    verified,
                    verified_at,
                    registered_at,
                    verified_at or registered_at,
                    keys.take("name_skeleton", name_skeleton(name)),
                    keys.take("cased_name_skeleton", cased_name_skeleton(name)),
                ]
            )
            positions.append(len(refs))
            refs.append(EntityRef(0, name, type_code, country, verified))
        if verified:
            verified_types.add(type_code)
    for row, pk, position in zip(
        rows, writer.reserve_ids(Entity, len(rows)), positions, strict=True
    ):
        row[0] = pk
        refs[position] = replace(refs[position], id=pk)
    writer.insert(Entity, ENTITY_COLUMNS, rows)
    if not refs[0].is_verified:
        # Someone unverified the showcase entity since the last run; the stakeholder demo
        # needs it verified.
        Entity.objects.filter(pk=refs[0].id).update(is_verified=True, verified_at=at(last_day, 9))
        refs[0] = replace(refs[0], is_verified=True)
    log(f"  entities: {len(rows)} created, {len(refs) - len(rows)} reused")
    return refs, refs[0]
