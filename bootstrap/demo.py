"""Demo data for the zero-setup demo and for load tests (`manage.py seed_demo`).

Everything is drawn from `random.Random` instances seeded from one integer, so a seed always yields
the same entities and pledges (references, titles, amounts, states) on a fresh database; Faker is
avoided on purpose because its word lists change between releases. Each stage has its own random
stream, so a change in one stage does not reshuffle the others.

Reference data (compacts, objectives, forums, countries, currencies…) is read from the database and
never assumed: the demo follows whatever `manage.py load_reference_data` and the secretariat put
there. Every write is a bulk insert inside one transaction: row-by-row `save()` would take many
minutes for 100,000 pledges, and a half-seeded database is worse than none.

Re-running adds another batch: entities are matched by name and type, references continue after
each forum's counter, and the demo accounts, exchange rates and indicator values are not duplicated.
"""

import gc
import math
import random
import time as clock
import unicodedata
from bisect import bisect
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from allauth.account.models import EmailAddress
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.models import Max
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
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
from indicators.models import ExchangeRate, Indicator, IndicatorValue
from pledges.models import (
    Entity,
    EntityType,
    GeographyScope,
    ImplementationStatus,
    LinkKind,
    Membership,
    MembershipRole,
    MembershipStatus,
    ParticipantRole,
    ParticipantStatus,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeReferenceCounter,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    SupportType,
    TargetUnit,
    UpdateReviewState,
)
from pledges.names import cased_name_skeleton, name_skeleton
from pledges.roles import ensure_secretariat_group

Logger = Callable[[str], None]
T = TypeVar("T")

DEFAULT_PLEDGES = 2000
DEFAULT_SEED = 2026
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published in the README; demo databases only
SECRETARIAT_EMAIL = "secretariat@example.org"
STAKEHOLDER_EMAIL = "stakeholder@example.org"
SHOWCASE_ENTITY = ("Demo Alliance for Refugees and Migrants", "ngo")
DEMO_SOURCE = "Demo data (generated, not official figures)"

# Pledges are generated and written in chunks so that memory stays flat at 100,000 pledges.
CHUNK = 5000

# --------------------------------------------------------------------------------------------
# Word pools. Plain tuples rather than Faker so the output never changes with a library upgrade.
# --------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """A word pool written as one "|"-separated string, to keep the lists compact."""
    return tuple(text.split("|"))


# ISO 3166 codes of the 193 UN member States: only they get a "Government of …" entity (the
# country table also lists territories such as Antarctica or Åland, which do not pledge).
UN_MEMBER_CODES = (
    "AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV KH CM "
    "CA CF TD CL CN CO KM CG CR CI HR CU CY CZ KP CD DK DJ DM DO EC EG SV GQ ER EE SZ ET FJ FI FR "
    "GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID IR IQ IE IL IT JM JP JO KZ KE KI KW KG LA "
    "LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM MC MN ME MA MZ MM NA NR NP NL NZ NI "
    "NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR MD RO RU RW KN LC VC WS SM ST SA SN RS SC SL "
    "SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TH TL TG TO TT TN TR TM TV UG UA AE GB TZ US UY "
    "UZ VU VE VN YE ZM ZW"
).split()
# Countries whose name takes "the" in a sentence (UN style).
THE_CODES = set("BS GM NL PH US GB AE RU CF DO SY LA MH SB KM MV NE SD CG".split())
# Countries that refugees return to: the beneficiaries of return and reintegration pledges.
ORIGIN_CODES = "AF SY SS CD MM VE UA SD SO CF ER BI IQ YE ML NG HT HN SV GT NI CO ET".split()
# Large refugee-hosting States and large donors pledge far more often than others.
HOST_CODES = (
    "TR IR CO DE PK UG SD BD ET KE LB JO PE CD CM TD EG EC BR CL RW TZ SS NE NG ML BF MX CR PA"
).split()
DONOR_CODES = "US DE GB JP NO SE CA CH NL DK FR AU IT ES BE FI IE KR LU AT".split()
# Regional-review and donor pledges often show up as the headquarters of organisations.
HQ_CODES = "CH US GB FR DE KE IT AT BE NL DK SE NO JP CA ET SN TH JO PA".split()

# City, ISO 3166 code: organisations named after a city are headquartered in its country.
CITIES = tuple(
    tuple(pair.split(":"))
    for pair in (
        "Nairobi:KE|Kampala:UG|Addis Ababa:ET|Khartoum:SD|Juba:SS|Kigali:RW|Dar es Salaam:TZ|"
        "Kinshasa:CD|Goma:CD|Bangui:CF|N'Djamena:TD|Niamey:NE|Bamako:ML|Ouagadougou:BF|Dakar:SN|"
        "Abuja:NG|Maiduguri:NG|Accra:GH|Cairo:EG|Amman:JO|Irbid:JO|Beirut:LB|Gaziantep:TR|"
        "Istanbul:TR|Ankara:TR|Erbil:IQ|Tehran:IR|Mashhad:IR|Kabul:AF|Herat:AF|Peshawar:PK|"
        "Quetta:PK|Islamabad:PK|Dhaka:BD|Cox's Bazar:BD|Yangon:MM|Kuala Lumpur:MY|Bangkok:TH|"
        "Jakarta:ID|Manila:PH|Bogotá:CO|Cúcuta:CO|Medellín:CO|Lima:PE|Quito:EC|Caracas:VE|"
        "Santiago:CL|Buenos Aires:AR|São Paulo:BR|Boa Vista:BR|Mexico City:MX|Tapachula:MX|"
        "Tijuana:MX|Guatemala City:GT|Tegucigalpa:HN|San Salvador:SV|San José:CR|Panama City:PA|"
        "Port-au-Prince:HT|Geneva:CH|Zurich:CH|Vienna:AT|Berlin:DE|Hamburg:DE|Munich:DE|Paris:FR|"
        "Lyon:FR|Marseille:FR|Brussels:BE|Amsterdam:NL|Rotterdam:NL|Copenhagen:DK|Oslo:NO|"
        "Bergen:NO|Stockholm:SE|Malmö:SE|Helsinki:FI|Dublin:IE|London:GB|Manchester:GB|Madrid:ES|"
        "Barcelona:ES|Lisbon:PT|Rome:IT|Milan:IT|Athens:GR|Warsaw:PL|Kraków:PL|Prague:CZ|"
        "Bucharest:RO|Chișinău:MD|Kyiv:UA|Lviv:UA|Toronto:CA|Montreal:CA|Vancouver:CA|"
        "New York:US|Chicago:US|Houston:US|Los Angeles:US|Sydney:AU|Melbourne:AU|Auckland:NZ|"
        "Tokyo:JP|Osaka:JP|Seoul:KR"
    ).split("|")
)
FOCUS = _words(
    "Refugee|Migrant|Displacement|Asylum|Protection|Inclusion|Resettlement|Livelihoods|"
    "Education|Health|Legal Aid|Women's|Youth|Children's|Shelter|Solidarity|Integration|"
    "Humanitarian|Statelessness|Community"
)
ORG_NOUNS = _words(
    "Network|Alliance|Council|Initiative|Association|Coalition|Collective|Forum|Trust|"
    "Society|Centre|Committee|Project|Partnership|Platform"
)
CAUSES = _words(
    "Refugee Education|Refugee Welcome|Migrant Rights|Displaced Families|Safe Migration|"
    "Durable Solutions|Human Mobility|Inclusive Cities|Refugee Health|Decent Work|"
    "Child Protection|Gender Equality"
)
DEMONYMS = _words(
    "Afghan|Syrian|South Sudanese|Congolese|Rohingya|Venezuelan|Somali|Eritrean|Burundian|"
    "Ukrainian|Sudanese|Yemeni|Iraqi|Central African|Ethiopian|Malian|Haitian|Honduran|"
    "Nicaraguan|Colombian"
)
FAITHS = _words(
    "Interfaith|Christian|Islamic|Jewish|Buddhist|Catholic|Lutheran|Methodist|Anglican|"
    "Quaker|Hindu|Sikh|Orthodox|Baptist"
)
BRANDS = _words(
    "Meridian|Northstar|Bluewave|Keystone|Horizon|Summit|Atlas|Cedar|Harbor|Lumen|Solace|"
    "Riverstone|Kestrel|Evergreen|Zenith|Oakridge|Silverline|Brightpath|Pioneer|Tamarind|"
    "Baobab|Sahel|Andes|Nile|Fjord"
)
INDUSTRIES = _words(
    "Logistics|Telecom|Energy|Foods|Textiles|Finance|Software|Pharma|Construction|"
    "Hospitality|Payments|Insurance|Consulting|Agritech|Mobility"
)
COMPANY_SUFFIXES = _words("Ltd|Group|AG|SA|GmbH|Inc.|plc|AS|AB|Holdings")
SURNAMES = _words(
    "Abebe|Achieng|Ahmadi|Al-Hassan|Andersen|Banda|Bianchi|Castillo|Chen|Da Silva|Diallo|"
    "Dubois|Eriksson|Fernández|Haddad|Hansen|Ibrahim|Ito|Jensen|Kamau|Karimi|Kim|Kowalski|"
    "Mensah|Mohammed|Müller|Mwangi|Nakamura|Nguyen|Novak|Okafor|Okello|Olsen|Osei|Petrov|"
    "Qureshi|Rahman|Rossi|Santos|Schmidt|Sesay|Singh|Smith|Suárez|Tanaka|Traoré|"
    "Van der Berg|Yilmaz|Yusuf|Zhang"
)
FIRST_NAMES = _words(
    "Amina|Ahmed|Ana|Aisha|Carlos|Chloé|Daniel|Fatima|Grace|Hannah|Hassan|Ingrid|Jean|"
    "Joseph|Kenji|Lars|Layla|Lucía|Mariam|Mateo|Mohamed|Nadia|Naveen|Olga|Omar|Peter|Priya|"
    "Rosa|Samuel|Sara|Sofia|Tomás|Wanjiru|Yuki|Zainab|Zhang Wei"
)
TOPICS = _words(
    "Refugees|Migration|Displacement|Statelessness|Durable Solutions|Humanitarian Affairs|"
    "Labour Mobility|Refugee Education|Humanitarian Data|Reintegration"
)
UN_UNITS = _words("Programme|Fund|Office|Agency|Commission|Facility|Centre")
IFI_REGIONS = _words(
    "African|Asian|Caribbean|Nordic|Andean|Pacific|Arab|European|Inter-American|"
    "Central American|West African|East African|Black Sea"
)
IFI_UNITS = _words(
    "Development Bank|Investment Bank|Development Fund|Finance Corporation|Reconstruction Fund"
)
FIELDS = _words(
    "Migration Studies|Refugee Studies|Public Health|Law|Social Policy|Economics|Education|"
    "Development Studies"
)
SPORTS = _words(
    "Football|Basketball|Cricket|Athletics|Volleyball|Rugby|Taekwondo|Boxing|Swimming|"
    "Cycling|Table Tennis"
)
SPORT_UNITS = _words("Club|Federation|Academy|League")
# Types whose names are commonly abbreviated (nobody writes "CK" for the City of Kampala).
ACRONYM_TYPES = {"ngo", "un_agency", "ifi", "refugee_led", "faith_based", "foundation", "other"}
STOPWORDS = {"of", "for", "the", "and", "in", "on", "de", "des", "du", "la", "le"}

# Shares of organisations by type (States are one per member State, not drawn).
ORG_SHARES = {
    "ngo": 30,
    "un_agency": 4,
    "ifi": 2,
    "refugee_led": 10,
    "faith_based": 7,
    "private_sector": 14,
    "foundation": 6,
    "academia": 9,
    "local_authority": 8,
    "parliament": 2,
    "sports": 4,
    "other": 4,
}
# Who pledges under each compact: GCM pledges come mostly from States (it is State-led).
TYPE_WEIGHTS = {
    "GCR": {
        "state": 30,
        "un_agency": 5,
        "ifi": 3,
        "ngo": 22,
        "refugee_led": 7,
        "faith_based": 5,
        "private_sector": 9,
        "foundation": 4,
        "academia": 6,
        "local_authority": 4,
        "parliament": 1,
        "sports": 2,
        "other": 2,
    },
    "GCM": {
        "state": 55,
        "un_agency": 8,
        "ifi": 1,
        "ngo": 15,
        "refugee_led": 2,
        "faith_based": 3,
        "private_sector": 4,
        "foundation": 2,
        "academia": 4,
        "local_authority": 4,
        "parliament": 1,
        "sports": 0.5,
        "other": 0.5,
    },
}
# Relative pledge volumes per kind of forum, after the real counts in DOMAIN.md §7.
FORUM_KIND_WEIGHTS = {
    "grf": 1600,
    "hls": 360,
    "hlom": 250,
    "progress_review": 400,
    "imrf": 220,
    "regional_review": 80,
    "other": 50,
}
REVIEW_WEIGHTS = {
    ReviewState.PUBLISHED: 68,
    ReviewState.DRAFT: 6,
    ReviewState.SUBMITTED: 6,
    ReviewState.CHANGES_REQUESTED: 4,
    ReviewState.RESUBMITTED: 3,
    ReviewState.REJECTED: 3,
    ReviewState.WITHDRAWN: 4,
    ReviewState.SUPERSEDED: 3,
}
# A superseded pledge was published before its successor replaced it, so, like a published one,
# it must belong to a verified entity and carries published_at.
WAS_PUBLISHED = {ReviewState.PUBLISHED, ReviewState.SUPERSEDED}
SCOPE_WEIGHTS = {
    GeographyScope.NATIONAL: 50,
    GeographyScope.REGIONAL: 20,
    GeographyScope.GLOBAL: 15,
    GeographyScope.LOCAL: 15,
}
# Approximate USD per unit, used to size amounts and as the centre of the demo exchange rates.
USD_PER_UNIT = {
    "USD": 1.0,
    "EUR": 1.1,
    "GBP": 1.27,
    "CHF": 1.1,
    "JPY": 0.0075,
    "NOK": 0.095,
    "SEK": 0.095,
    "CAD": 0.74,
    "AUD": 0.66,
    "DKK": 0.147,
}
CURRENCY_WEIGHTS = {
    "USD": 40,
    "EUR": 22,
    "GBP": 7,
    "CHF": 5,
    "JPY": 5,
    "NOK": 5,
    "SEK": 5,
    "CAD": 6,
    "AUD": 2,
    "DKK": 2,
}
# A State pledges in its own currency most of the time.
EURO_CODES = "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split()
HOME_CURRENCY = {
    "US": "USD",
    "GB": "GBP",
    "CH": "CHF",
    "JP": "JPY",
    "NO": "NOK",
    "SE": "SEK",
    "CA": "CAD",
    "AU": "AUD",
    "DK": "DKK",
    **dict.fromkeys(EURO_CODES, "EUR"),
}
REGION_NAMES = {
    "002": "Africa",
    "019": "the Americas",
    "142": "Asia",
    "150": "Europe",
    "009": "Oceania",
}

GCR_TITLES = {
    1: (
        "Multi-year funding for refugee-hosting communities in {where}",
        "Strengthen national health services for refugees and hosts in {where}",
        "Include refugees in the national social protection system of {where}",
        "Clean energy for refugee settlements in {where}",
        "Water and sanitation infrastructure for host districts in {where}",
        "Strengthen asylum capacity and registration in {where}",
        "Development funding for refugee-hosting areas in {where}",
    ),
    2: (
        "Work permits and vocational training for refugees in {where}",
        "Include refugee children in national schools in {where}",
        "University scholarships for refugee students in {where}",
        "Digital skills and jobs for refugee youth in {where}",
        "Access to banking and mobile money for refugees in {where}",
        "Grants for refugee-led enterprises in {where}",
        "Agricultural livelihoods for refugees and hosts in {where}",
    ),
    3: (
        "{places} resettlement places for refugees hosted in {where}",
        "Complementary education pathways for refugees in {where}",
        "Labour mobility pathway for skilled refugees in {where}",
        "Family reunification support for refugees in {where}",
        "Community sponsorship programme for refugees from {where}",
    ),
    4: (
        "Support voluntary return and reintegration in {where}",
        "Restore civil documentation for returnees in {where}",
        "Housing, land and property rights for returnees in {where}",
        "Rebuild basic services in areas of return in {where}",
    ),
}
STATELESSNESS_TITLES = (
    "Universal birth registration for all children in {where}",
    "Remove gender discrimination from the nationality law of {where}",
    "Confirm the nationality of stateless persons in {where}",
    "Accession to the statelessness conventions by {where}",
    "Statelessness determination procedure in {where}",
)
GCM_TITLES = {
    1: "Improve disaggregated migration data in {where}",
    2: "Address climate-related drivers of migration in {where}",
    3: "Information centres for migrants at every stage of the journey in {where}",
    4: "Legal identity documents for migrants in {where}",
    5: "New regular labour migration pathways with {where}",
    6: "Fair and ethical recruitment of migrant workers in {where}",
    7: "Reduce the vulnerabilities of migrants in crisis situations in {where}",
    8: "Search and rescue and identification of missing migrants in {where}",
    9: "Strengthen the transnational response to migrant smuggling in {where}",
    10: "Prevent trafficking in persons along migration routes in {where}",
    11: "Integrated, rights-based border management in {where}",
    12: "Screening and referral of migrants in vulnerable situations in {where}",
    13: "Community-based alternatives to immigration detention in {where}",
    14: "Consular protection and assistance for migrants from {where}",
    15: "Access to basic services for migrants in {where}",
    16: "Inclusion and social cohesion programmes in {where}",
    17: "Counter xenophobia and promote balanced public discourse in {where}",
    18: "Skills partnerships and recognition of qualifications with {where}",
    19: "Diaspora investment and development partnerships in {where}",
    20: "Cheaper remittances and financial inclusion of migrants in {where}",
    21: "Dignified return and sustainable reintegration in {where}",
    22: "Portability of social security entitlements for migrant workers in {where}",
    23: "Capacity-building partnerships on migration governance in {where}",
}
DESCRIPTION_SENTENCES = (
    "The commitment builds on existing national plans and is delivered with local partners.",
    "Affected communities are consulted on the design and take part in monitoring.",
    "Progress is reported every year through the pledge update process.",
    "Half of the activities take place in districts that host the largest numbers of people.",
    "Women, girls and persons with disabilities are prioritised in every component.",
    "The work is co-financed with development partners and the private sector.",
    "Local authorities lead the implementation, with technical support from specialised agencies.",
    "A steering committee that includes displaced persons meets every quarter.",
    "Data are disaggregated by sex, age and disability so that gaps become visible.",
    "Lessons learnt are shared with other States and stakeholders through regional platforms.",
    "The approach strengthens national systems instead of creating parallel services.",
    "Civil society organisations, including refugee- and migrant-led groups, co-design activities.",
    "An independent evaluation is planned at mid-term and at the end of the commitment.",
    "The pledge complements humanitarian assistance with longer-term development investment.",
    "Training is provided to front-line staff on protection and non-discrimination.",
    "Legal and policy changes are accompanied by guidance for the officials who apply them.",
    "Funding is multi-year and flexible so that partners can plan ahead.",
    "Digital tools are used where they help, with safeguards for personal data.",
    "Host communities benefit alongside newcomers, which supports social cohesion.",
    "The commitment is aligned with the Sustainable Development Goals and national priorities.",
    "Partnerships with employers open routes to decent work and fair recruitment.",
    "Cities and municipalities are supported to include newcomers in local services.",
    "Where possible, services are delivered in the languages people actually speak.",
    "A complaints and feedback mechanism lets participants raise concerns safely.",
    "The budget is published and spending is reported alongside results.",
    "Cooperation with countries of origin, transit and destination is part of the design.",
    "Academic partners document the results so that others can replicate what works.",
    "Gender-responsive and child-sensitive approaches guide every activity.",
    "Whole-of-government coordination involves the ministries concerned from the start.",
    "A whole-of-society approach brings in trade unions, employers and faith communities.",
)
METRICS = {
    TargetUnit.PERSONS: (
        "Refugees and host community members reached",
        "Children enrolled in school",
        "People trained in vocational skills",
        "Migrants provided with legal assistance",
        "People issued identity documents",
    ),
    TargetUnit.PLACES: (
        "Resettlement places offered",
        "Scholarship places for refugee students",
        "Places in labour mobility pathways",
        "Community sponsorship places",
    ),
    TargetUnit.USD: (
        "Funding disbursed to partners",
        "Development financing mobilised",
        "Grants disbursed to local organisations",
    ),
    TargetUnit.PERCENT: (
        "Share of refugee children enrolled in national schools",
        "Share of refugees with the right to work",
        "Share of registered births among refugee children",
        "Share of partners that are local organisations",
    ),
    TargetUnit.COUNT: (
        "Schools built or rehabilitated",
        "Legal aid clinics opened",
        "Policies or laws adopted",
        "Local authorities supported",
        "Health facilities equipped",
    ),
}
NARRATIVES = {
    ImplementationStatus.NOT_STARTED: (
        "Activities have not started yet; funding is being confirmed with partners.",
        "Start-up was delayed while the implementing agreement was finalised.",
    ),
    ImplementationStatus.PLANNING: (
        "Partners have been selected and the work plan agreed with the authorities.",
        "A needs assessment was completed and the first activities are being prepared.",
    ),
    ImplementationStatus.IN_PROGRESS: (
        "Implementation is under way in all target locations; figures are cumulative.",
        "The first phase is complete and the second phase has started.",
        "Activities continue as planned; some locations were added at the partners' request.",
    ),
    ImplementationStatus.FULFILLED: (
        "All commitments of the pledge have been met; a final report is attached.",
        "The pledge is fulfilled and the services continue under the national budget.",
    ),
    ImplementationStatus.DISCONTINUED: (
        "The pledge was discontinued after funding was redirected to an emergency response.",
        "Implementation stopped because the security situation made the sites inaccessible.",
    ),
}
CHALLENGES = (
    "Rising costs reduced the number of people the budget can reach.",
    "Access to some locations was limited for security reasons.",
    "Recruiting qualified staff took longer than planned.",
    "Legal changes needed parliamentary approval, which is still pending.",
    "Currency depreciation reduced the value of the funds in local terms.",
    "Data from partners arrive late and are not always disaggregated.",
)
RETURN_NOTES = (
    "Please add the number of people reached and the source of the figures.",
    "The actual values look lower than in the previous update; please check them.",
    "Please describe what was disbursed in this period, not only the total.",
    "The narrative does not match the status; please clarify whether the pledge is fulfilled.",
)
ENTITY_DESCRIPTIONS = {
    "state": "The government of {country}.",
    "un_agency": "An international organisation working on {topic} worldwide.",
    "ifi": "A development finance institution investing in refugee- and migrant-hosting areas.",
    "ngo": "A civil society organisation working with displaced people, based in {country}.",
    "refugee_led": "An organisation founded and led by refugees, active in {country}.",
    "faith_based": "A faith-based organisation serving refugees and migrants in {country}.",
    "private_sector": "A company headquartered in {country} that hires and trains refugees.",
    "foundation": "A philanthropic foundation funding inclusion and solutions programmes.",
    "academia": "A university or research institute working on {topic}.",
    "local_authority": "A city or local authority that includes newcomers in its services.",
    "parliament": "Members of parliament working on asylum and migration law.",
    "sports": "A sports organisation using sport for inclusion of refugees and migrants.",
    "other": "An organisation supporting refugees and migrants.",
}


class ReferenceDataMissingError(Exception):
    """The reference data the demo is built from is not in the database."""


# --------------------------------------------------------------------------------------------
# Reference data snapshot
# --------------------------------------------------------------------------------------------


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
            short=c.name.split(", ", 1)[0],
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


def _display_country(code: str, name: str) -> str:
    """The country as it reads in a sentence. ISO short names put the qualifier last ("Korea,
    Republic of"), and UN usage puts "the" before some names ("the Niger", "the Netherlands")."""
    if ", " in name:
        head, qualifier = name.split(", ", 1)
        qualifier = qualifier[4:] if qualifier.startswith("The ") else qualifier
        return f"the {qualifier} {head}"
    return f"the {name}" if code in THE_CODES else name


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


class _FastRandom(random.Random):
    """`random.Random` with cheaper integer draws: the generator makes millions of them, and
    the exact integer algorithm of the standard library costs three times as much. Drawing from
    a float biases a choice among n values by less than n / 2**53: invisible in demo data."""

    def _randbelow(self, n: int) -> int:  # used by randrange, choice, sample, shuffle
        return int(self.random() * n)

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]


def _stream(seed: int, stage: str) -> random.Random:
    """An independent, reproducible random stream per stage (str seeds hash with SHA-512, not with
    the per-process `hash()`, so they are stable across runs)."""
    return _FastRandom(f"{seed}:{stage}")


class _Picker:
    """Repeated weighted picks from one population, with cumulative weights computed once."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum: list[float] = []
        self.total = 0.0
        for w in weights:
            self.total += w
            self.cum.append(self.total)

    @classmethod
    def of(cls, weights: dict[Any, float]) -> "_Picker":
        return cls(list(weights), list(weights.values()))

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rng: random.Random) -> Any:
        # min(): a product that rounds up to the total must still pick the last item.
        return self.items[min(bisect(self.cum, rng.random() * self.total), len(self.items) - 1)]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _acronym(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w.lower() not in STOPWORDS]
    letters = "".join(w[0] for w in words if w[0].isalpha()).upper()
    return _ascii(letters)


@contextmanager
def _keep_timestamps(model: type[models.Model], columns: Sequence[str]) -> Iterator[None]:
    """Let bulk_create store the created/updated times we give it: `auto_now(_add)` would stamp
    every demo row with the time of seeding, and "newest first" lists would then be in random
    order instead of showing the latest forum first."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and f.attname in columns
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class _Writer:
    """Inserts many rows at once, inside the caller's transaction.

    Ids are reserved up front (from the table's sequence on PostgreSQL), so that children can
    point at their parents before anything is written and no insert has to return ids. On
    PostgreSQL rows are streamed with COPY: `bulk_create` spent most of its time building
    model instances and quoting parameters in Python (100,000 pledges took about 110 s with
    `bulk_create`, about 28 s with COPY and `bulk_load`). Elsewhere — the SQLite demo — rows
    go through `bulk_create` in moderate batches, because SQLite caps the variables per
    statement. Only PostgreSQL and SQLite are supported, as by the project.
    """

    def __init__(self, *, use_copy: bool | None = None) -> None:
        # The connection object itself, not the thread-local proxy: with COPY, chunks are
        # written from a second thread inside this thread's transaction (see _Pipeline).
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.postgres = self.connection.vendor == "postgresql"
        self.use_copy = self.postgres if use_copy is None else use_copy and self.postgres
        self.batch_size = 2000 if self.postgres else 250
        self._next_id: dict[type[models.Model], int] = {}

    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        """`count` primary keys that no other row has or will get."""
        if count <= 0:
            return []
        table = model._meta.db_table
        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, model._meta.pk.column, count],
                )
                return [row[0] for row in cursor.fetchall()]
        # SQLite, the single-user demo: continue after the highest id, or after the
        # AUTOINCREMENT high-water mark if rows were deleted, so that no id is ever reused.
        start = self._next_id.get(model)
        if start is None:
            top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
        self._next_id[model] = start + count
        return list(range(start, start + count))

    def insert(
        self, model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> int:
        """Insert `rows`, each a sequence of values for the field attnames in `columns`. Fields
        not listed get their default (a fresh UUID, `version` 1, "now"…)."""
        if not rows:
            return 0
        if self.use_copy:
            self._copy(model, columns, rows)
        else:
            objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
            with _keep_timestamps(model, columns):
                model._default_manager.bulk_create(objs, batch_size=self.batch_size)
        return len(rows)

    @contextmanager
    def bulk_load(
        self, models_: Sequence[type[models.Model]], *, rebuild_indexes: bool
    ) -> Iterator[None]:
        """On PostgreSQL, load these tables the way the PostgreSQL manual advises for bulk
        loads ("Populating a Database"): drop their foreign keys and, with `rebuild_indexes`,
        their non-unique B-tree indexes, and create them again afterwards.

        Adding a key back checks all rows in one join (0.1 s for 180,000 updates), where a
        key left in place queues one check per row until commit (about 20 s for 100,000
        pledges). Building an index once is cheaper than updating it row by row (measured at
        100,000 pledges: 21 s of loading plus 9 s of index builds, against 40 s with every
        index in place); but it rebuilds over every row, so it only pays when most rows are
        new. The full-text index is the exception: updating it during COPY keeps PostgreSQL's
        core busy while Python, the slower side, generates rows: 1,000,000 pledges loaded in
        243 s instead of 343 s (two runs of `make bench` on the same machine).

        Definitions are read from the catalogue, so keys and indexes come back exactly as the
        migrations made them, and on error the transaction rolls everything back.

        The tables stay locked until commit, which is fine for a demo database being seeded.
        A database user that does not own the tables cannot drop anything: then keys and
        indexes simply stay, and the load is slower."""
        if not self.use_copy:
            yield
            return
        tables = [m._meta.db_table for m in models_]
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            # regclass prints table names quoted as needed, ready for ALTER TABLE.
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1, 2",
                [tables],
            )
            keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
                "AND NOT i.indisunique AND NOT i.indisexclusion AND NOT i.indisprimary "
                "ORDER BY 1",
                [tables],
            )
            # The full-text (GIN) index stays (docstring): rebuilding it at the end took 69 of
            # the ~120 s after 1,000,000 pledges, one core computing every tsvector again.
            indexes = [
                (index, definition)
                for index, definition in (cursor.fetchall() if rebuild_indexes else [])
                if " USING gin " not in definition
            ]
        try:
            with (
                transaction.atomic(using=self.connection.alias),
                self.connection.cursor() as cursor,
            ):
                self._run_pending_checks(cursor)
                for table, name, _ in keys:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                for index, _ in indexes:
                    cursor.execute(f"DROP INDEX {index}")
        except DatabaseError:
            keys, indexes = [], []  # not the owner: keep everything in place
        yield
        with self.connection.cursor() as cursor:
            if indexes:
                # Index builds sort in memory up to this limit (the default is 64 MB); at
                # 1,000,000 pledges the full-text (GIN) index alone needs most of 1 GB.
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for _, definition in indexes:
                cursor.execute(definition)
            self._run_pending_checks(cursor)
            for table, name, definition in keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")

    @staticmethod
    def _run_pending_checks(cursor: Any) -> None:
        # PostgreSQL refuses to ALTER a table with deferred checks still queued (rows written
        # earlier in the same transaction, e.g. by load_reference_data in a test). Running them
        # now empties the queue; Django's keys are all INITIALLY DEFERRED, so deferring them
        # again afterwards restores the usual mode.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _copy(
        self, model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        from psycopg.types.json import Jsonb  # only on PostgreSQL

        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        given = [by_attname[c] for c in columns]
        missing = [
            f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
        ]
        defaults: list[Callable[[], Any]] = [
            timezone.now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            # Fields without a default get None or "" from get_default, as in Django's INSERTs.
            else f.get_default
            for f in missing
        ]
        json_positions = [i for i, f in enumerate(given) if isinstance(f, models.JSONField)]
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in [*given, *missing])
        sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if json_positions:
                    row = list(row)
                    for i in json_positions:
                        row[i] = Jsonb(row[i])
                if defaults:
                    row = (*row, *(default() for default in defaults))
                copy.write_row(row)


class _Pipeline:
    """Writes one chunk while the next is being generated.

    With COPY, PostgreSQL spends most of the load maintaining indexes (the full-text index of
    pledges above all) while Python waits; meanwhile Python could generate the next chunk. So
    each chunk is written by one background thread, inside the main thread's transaction on the
    same connection (psycopg serialises access to it), while the main thread builds the next.
    Writes stay in order, one at a time. On SQLite everything runs inline.
    """

    def __init__(self, writer: _Writer) -> None:
        self.writer = writer
        self.pool: ThreadPoolExecutor | None = None
        self.pending: Future[Any] | None = None

    def __enter__(self) -> "_Pipeline":
        if self.writer.use_copy:
            self.writer.connection.inc_thread_sharing()
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-demo")
        return self

    def submit(self, job: Callable[[], T]) -> T | None:
        """Start `job` once the previous one has finished; return the previous one's result
        (inline mode: run it now and return its result)."""
        if self.pool is None:
            return job()
        previous = self.pending.result() if self.pending else None
        self.pending = self.pool.submit(job)
        return previous

    def finish(self) -> Any:
        """Wait for the last job and return its result."""
        result, self.pending = (self.pending.result() if self.pending else None), None
        return result

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            # Never leave a write running while the transaction is rolled back.
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.writer.connection.dec_thread_sharing()


def _through_columns(descriptor: Any) -> tuple[str, str]:
    """The two foreign-key attnames of an auto-created M2M table, e.g. pledge_id, objective_id."""
    rel = descriptor.field
    through = descriptor.through._meta
    return (
        through.get_field(rel.m2m_field_name()).attname,
        through.get_field(rel.m2m_reverse_field_name()).attname,
    )


# --------------------------------------------------------------------------------------------
# Entities
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityRef:
    """What pledge generation needs to know about an entity."""

    id: int
    name: str
    type_code: str
    country_code: str | None
    is_verified: bool


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
    options: tuple[tuple[str, str | None], ...]
    match type_code:
        case "ngo":
            options = (
                (f"{place} {focus} {noun}", place_country),
                (f"{noun} for {cause} {place}", place_country),
                (f"{brand} {focus} {noun}", None),
            )
        case "refugee_led":
            demonym = rng.choice(DEMONYMS)
            options = (
                (f"{demonym} {focus} {noun} {city}", city_country),
                (f"{demonym} Refugee {noun} in {place}", place_country),
            )
        case "faith_based":
            faith = rng.choice(FAITHS)
            options = (
                (f"{faith} {noun} for {cause}", None),
                (f"{faith} {focus} Service {place}", place_country),
            )
        case "private_sector":
            options = (
                (f"{brand} {rng.choice(INDUSTRIES)} {rng.choice(COMPANY_SUFFIXES)}", None),
                (f"{surname} & {rng.choice(SURNAMES)} {rng.choice(INDUSTRIES)}", None),
            )
        case "foundation":
            options = (
                (f"{surname} Family Foundation", None),
                (f"{brand} Foundation for {cause}", None),
                (f"{place} Community Foundation", place_country),
            )
        case "academia":
            options = (
                (f"University of {city}", city_country),
                (f"{city} Institute of {subject}", city_country),
                (f"Centre for {subject}, University of {city}", city_country),
                (f"{surname} School of {subject}", None),
            )
        case "local_authority":
            options = (
                (f"City of {city}", city_country),
                (f"{city} City Council", city_country),
                (f"Municipality of {city}", city_country),
                (f"{city} Metropolitan Authority", city_country),
                (f"{city} Office for {topic}", city_country),
            )
        case "parliament":
            options = (
                (f"Parliament of {of_country}", country_code),
                (f"Parliamentary Group on {topic}, {country}", country_code),
                (f"Standing Committee on {topic}, Parliament of {of_country}", country_code),
            )
        case "sports":
            unit = rng.choice(SPORT_UNITS)
            options = ((f"{city} {rng.choice(SPORTS)} {unit}", city_country),)
        case "un_agency":
            unit = rng.choice(UN_UNITS)
            options = (
                (f"International {topic} {unit}", None),
                (f"United Nations {topic} {unit}", None),
                (f"{rng.choice(IFI_REGIONS)} {unit} on {topic}", None),
            )
        case "ifi":
            options = (
                (f"{rng.choice(IFI_REGIONS)} {rng.choice(IFI_UNITS)}", None),
                (f"{country} Development Agency", country_code),
                (f"{brand} Impact Investment Fund", None),
            )
        case _:
            options = ((f"{place} {focus} Working Group", place_country),)
    return rng.choice(options)


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


def create_entities(
    *, ref: Reference, pledges: int, seed: int, writer: _Writer, log: Logger
) -> tuple[list[EntityRef], EntityRef]:
    """Create (or reuse, matched by name and type) the pledging entities: a State for every UN
    member State and organisations of every other type, about 0.3 per pledge as in the real
    registry (1,300 actors for 3,500 pledges). Returns them in generation order, plus the
    verified showcase entity that the stakeholder account works for."""
    rng = _stream(seed, "entities")
    existing = {
        (name, type_id): (pk, verified)
        for pk, name, type_id, verified in Entity.objects.values_list(
            "pk", "name", "entity_type_id", "is_verified"
        )
    }
    # The look-alike keys register_entity stores; a generated name that looks like an earlier
    # one keeps NULL, as migration 0014 does for real data (the unique indexes allow that).
    keys_taken: dict[str, set[str]] = {
        field: set(Entity.objects.exclude(**{field: None}).values_list(field, flat=True))
        for field in ("name_skeleton", "cased_name_skeleton")
    }

    def free_key(field: str, value: str) -> str | None:
        if value in keys_taken[field]:
            return None
        keys_taken[field].add(value)
        return value

    last_day = ref.as_of - timedelta(days=1)
    first_day = min(date(2018, 6, 1), last_day)
    specs: list[tuple[str, str, str | None]] = []  # name, type code, country code
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

    refs: list[EntityRef] = []
    rows: list[list[Any]] = []  # new entities, their id still to be filled in
    positions: list[int] = []  # where each new entity sits in refs
    verified_types: set[str] = set()
    for name, type_code, country in specs:
        type_id = ref.entity_types[type_code]
        # Every type gets a verified entity, so that published pledges of every type exist.
        forced = type_code not in verified_types or name == showcase_name
        verified = forced or rng.random() < (0.92 if type_code == "state" else 0.8)
        registered_on = _day_between(rng, first_day, last_day)
        verified_on = _day_between(rng, registered_on, last_day)
        acronym = _acronym(name) if rng.random() < 0.4 else ""
        has_website = rng.random() < 0.6
        topic = rng.choice(TOPICS).lower()
        if (name, type_id) in existing:
            pk, verified = existing[(name, type_id)]
            refs.append(EntityRef(pk, name, type_code, country, verified))
        else:
            description = ENTITY_DESCRIPTIONS.get(type_code, ENTITY_DESCRIPTIONS["other"])
            registered_at = _at(registered_on, rng.randint(8, 17))
            verified_at = _at(verified_on, 18) if verified else None
            rows.append(
                [
                    0,
                    name,
                    acronym if 3 <= len(acronym) <= 8 and type_code in ACRONYM_TYPES else "",
                    type_id,
                    country,
                    (
                        f"https://{slugify(_ascii(name))[:50].strip('-')}.example.org"
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
                    free_key("name_skeleton", name_skeleton(name)),
                    free_key("cased_name_skeleton", cased_name_skeleton(name)),
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
        Entity.objects.filter(pk=refs[0].id).update(is_verified=True, verified_at=_at(last_day, 9))
        refs[0] = replace(refs[0], is_verified=True)
    log(f"  entities: {len(rows)} created, {len(refs) - len(rows)} reused")
    return refs, refs[0]


# --------------------------------------------------------------------------------------------
# Demo accounts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccounts:
    secretariat: User
    stakeholder: User


def ensure_demo_accounts(*, showcase_entity_id: int) -> DemoAccounts:
    """Create or refresh the two demo accounts (get_or_create, password reset on every run)."""
    group, _ = ensure_secretariat_group()
    secretariat, _ = User.objects.get_or_create(
        email=SECRETARIAT_EMAIL, defaults={"full_name": "Demo Secretariat Reviewer"}
    )
    secretariat.is_staff = True
    secretariat.is_active = True
    secretariat.set_password(DEMO_PASSWORD)
    secretariat.save()
    secretariat.groups.add(group)

    stakeholder, _ = User.objects.get_or_create(
        email=STAKEHOLDER_EMAIL, defaults={"full_name": "Demo Stakeholder"}
    )
    stakeholder.is_active = True
    stakeholder.set_password(DEMO_PASSWORD)
    stakeholder.save()
    Membership.objects.update_or_create(
        user=stakeholder,
        entity_id=showcase_entity_id,
        defaults={"role": MembershipRole.EDITOR, "status": MembershipStatus.ACTIVE},
    )
    for user in (secretariat, stakeholder):
        # Log-in requires a confirmed address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return DemoAccounts(secretariat=secretariat, stakeholder=stakeholder)


# --------------------------------------------------------------------------------------------
# Pledges
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Skeleton:
    """The few choices made for all pledges up front, because references are numbered per forum
    in order of announcement and that needs every pledge's forum and date."""

    forum: ForumRef
    state: str
    entity: EntityRef
    announced_on: date
    number: int = 0


@dataclass(slots=True)
class _IndexRow:
    """What link generation needs to remember about a written pledge."""

    id: int
    entity_id: int
    entity_type: str
    forum_id: int
    compact_code: str
    state: str
    announced_on: date
    has_amount: bool


@dataclass
class _Counts:
    pledges: int = 0
    participants: int = 0
    links: int = 0
    targets: int = 0
    updates: int = 0
    actuals: int = 0
    currencies_used: set[str] = field(default_factory=set)


class _EntityPools:
    """Weighted entity pickers per type, with a verified-only variant for published pledges."""

    def __init__(self, entities: Sequence[EntityRef]) -> None:
        by_type: dict[str, list[EntityRef]] = defaultdict(list)
        for entity in entities:
            by_type[entity.type_code].append(entity)
        hubs = set(HOST_CODES) | set(DONOR_CODES)
        self.all: dict[str, _Picker] = {}
        self.verified: dict[str, _Picker] = {}
        for type_code, group in by_type.items():
            # A few actors make many pledges (large States, big NGOs): Zipf-like weights.
            weights = [
                (8.0 if e.type_code == "state" and e.country_code in hubs else 1.0)
                / (1 + rank) ** (0 if e.type_code == "state" else 0.6)
                for rank, e in enumerate(group)
            ]
            self.all[type_code] = _Picker(group, weights)
            pairs = [(e, w) for e, w in zip(group, weights, strict=True) if e.is_verified]
            self.verified[type_code] = _Picker([e for e, _ in pairs], [w for _, w in pairs])

    def pick(self, rng: random.Random, type_code: str, *, verified: bool) -> EntityRef:
        pools = self.verified if verified else self.all
        if not pools.get(type_code):
            type_code = next(t for t, p in pools.items() if p)
        return pools[type_code].pick(rng)


def _plan_skeletons(
    *, ref: Reference, entities: Sequence[EntityRef], showcase: EntityRef, pledges: int, seed: int
) -> list[_Skeleton]:
    """Forum, review state, entity and announcement date of every pledge.

    The first pledges walk through every forum, every review state (twice: once for the showcase
    entity of the stakeholder account) and every entity type, so that even a small demo covers
    them all; the rest follow realistic weights."""
    rng = _stream(seed, "skeleton")
    pools = _EntityPools(entities)
    forum_picker = _Picker(ref.forums, [FORUM_KIND_WEIGHTS.get(f.kind, 50) for f in ref.forums])
    states = list(ReviewState)
    types = list(ref.entity_types)
    type_prefix = 2 * len(states)
    state_picker = _Picker.of(REVIEW_WEIGHTS)
    type_pickers = {
        code: _Picker.of({t: TYPE_WEIGHTS.get(code, TYPE_WEIGHTS["GCR"]).get(t, 1) for t in types})
        for code in ref.compacts
    }
    skeletons = []
    for i in range(pledges):
        forum = ref.forums[i] if i < len(ref.forums) else forum_picker.pick(rng)
        state = states[i % len(states)] if i < 2 * len(states) else state_picker.pick(rng)
        needs_verified = state in WAS_PUBLISHED
        if len(states) <= i < 2 * len(states):
            entity = showcase
        else:
            if type_prefix <= i < type_prefix + len(types):
                type_code = types[i - type_prefix]
            else:
                type_code = type_pickers[forum.compact_code].pick(rng)
            entity = pools.pick(rng, type_code, verified=needs_verified)
        # Most pledges are announced at the forum itself, the rest during its year.
        span = forum.dates if rng.random() < 0.75 else forum.year_span
        announced_on = _day_between(rng, *span)
        skeletons.append(_Skeleton(forum, state, entity, announced_on))
    return skeletons


def _number_references(skeletons: Sequence[_Skeleton], ref: Reference) -> dict[int, int]:
    """Number pledges per forum in order of announcement, after what each forum already used.
    Returns the highest number used per forum id."""
    start: dict[int, int] = {}
    counters = dict(PledgeReferenceCounter.objects.values_list("forum_id", "last_number"))
    for forum in ref.forums:
        # Trust the counter, but never reuse a number even if someone edited it downwards.
        last = (
            Pledge.objects.filter(reference__startswith=f"{forum.code}-")
            .order_by(Length("reference").desc(), "-reference")
            .values_list("reference", flat=True)
            .first()
        )
        used = int(last.rsplit("-", 1)[1]) if last else 0
        start[forum.id] = max(used, counters.get(forum.id, 0))
    by_forum: dict[int, list[int]] = defaultdict(list)
    for i, skeleton in enumerate(skeletons):
        by_forum[skeleton.forum.id].append(i)
    highest = {}
    for forum_id, indexes in by_forum.items():
        indexes.sort(key=lambda i: (skeletons[i].announced_on, i))
        for n, i in enumerate(indexes, start=start[forum_id] + 1):
            skeletons[i].number = n
        highest[forum_id] = start[forum_id] + len(indexes)
    return highest


def _where(ref: Reference, countries: Sequence[str], scope: str, *, anywhere: str) -> str:
    """Where a pledge applies, as the end of its title."""
    if scope == GeographyScope.GLOBAL or not countries:
        return anywhere
    if scope == GeographyScope.REGIONAL and len(countries) > 1:
        region = ref.countries[countries[0]].region
        return REGION_NAMES.get(region, "the region")
    return ref.countries[countries[0]].name


def _description(rng: random.Random, *, compact: str, title: str, entity: str) -> str:
    lead = f"Pledge by {entity}: {title[0].lower()}{title[1:]}."
    if compact != "GCM":
        extra = rng.sample(DESCRIPTION_SENTENCES, rng.randint(1, 3))
        return " ".join([lead, *extra])
    # The GCM asks for 300 to 3,000 characters; most descriptions are short, some long.
    goal = rng.randint(300, 1200) if rng.random() < 0.8 else rng.randint(1200, 3000)
    parts = [lead]
    length = len(lead)
    for sentence in rng.sample(DESCRIPTION_SENTENCES, len(DESCRIPTION_SENTENCES)):
        if length >= goal or length + len(sentence) + 1 > 3000:
            break
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)


# Typical size of a pledge by type of pledger, relative to a log-uniform USD 20,000–20 million.
MONEY_SCALE = {"state": 3.0, "ifi": 5.0, "foundation": 0.8, "refugee_led": 0.05}


def _money(
    rng: random.Random, *, entity: EntityRef, currencies: _Picker, pending: deque[str]
) -> tuple[Decimal, str]:
    """An amount and currency: Japan pledges in yen, Norway in kroner, most others in USD."""
    home = HOME_CURRENCY.get(entity.country_code or "")
    if pending:
        currency = pending.popleft()  # the first amounts show every common currency
    elif home in currencies.items and rng.random() < 0.8:
        currency = home
    else:
        currency = currencies.pick(rng)
    usd = _log_uniform(rng, 20_000, 20_000_000) * MONEY_SCALE.get(entity.type_code, 0.3)
    local = usd / USD_PER_UNIT.get(currency, 1.0)
    step = 1_000_000 if currency == "JPY" else 1_000
    return Decimal(max(step, round(local / step) * step)), currency


@dataclass(slots=True)
class _TargetPlan:
    unit: str
    baseline: Decimal | None
    value: Decimal


TARGET_COUNT = _Picker.of({0: 40, 1: 40, 2: 20})
OBJECTIVE_COUNT = _Picker.of({1: 55, 2: 30, 3: 15})


def _plan_targets(
    rng: random.Random, *, has_amount: bool, usd_amount: float, support_codes: Sequence[str]
) -> list[tuple[str, _TargetPlan]]:
    count = TARGET_COUNT.pick(rng)
    units = [TargetUnit.PERSONS, TargetUnit.PERCENT, TargetUnit.COUNT]
    if "places" in support_codes:
        units.append(TargetUnit.PLACES)
    if has_amount:
        units.append(TargetUnit.USD)
    chosen = rng.sample(units, min(count, len(units)))
    plans = []
    for unit in chosen:
        metric = rng.choice(METRICS[unit])
        baseline: Decimal | None = None
        match unit:
            case TargetUnit.PERCENT:
                value = Decimal(rng.randint(20, 100))
                baseline = Decimal(rng.randint(0, int(value) // 2))
            case TargetUnit.PERSONS:
                value = Decimal(round(_log_uniform(rng, 100, 500_000), -1))
            case TargetUnit.PLACES:
                value = Decimal(round(_log_uniform(rng, 10, 5_000)))
            case TargetUnit.USD:
                value = Decimal(round(usd_amount, -3))
            case _:
                value = Decimal(rng.randint(1, 200))
        if baseline is None and rng.random() < 0.3:
            baseline = Decimal(0)
        plans.append((metric, _TargetPlan(unit, baseline, value)))
    return plans


@dataclass(slots=True)
class _UpdatePlan:
    reported_on: date
    status: str
    review_state: str
    progress: float  # share of each target (and of the money) achieved, cumulative


STATUS_PATH = (
    ImplementationStatus.NOT_STARTED,
    ImplementationStatus.PLANNING,
    ImplementationStatus.IN_PROGRESS,
    ImplementationStatus.FULFILLED,
)


# GCR pledges were first reported on in 2020, after the first Global Refugee Forum.
REPORTING_OPENS = date(2020, 1, 1)
FIRST_STATUS = _Picker.of({STATUS_PATH[0]: 10, STATUS_PATH[1]: 40, STATUS_PATH[2]: 50})
# The latest update may still wait for review; earlier ones have all been reviewed.
LAST_REVIEW = _Picker.of(
    {UpdateReviewState.APPROVED: 70, UpdateReviewState.PENDING: 22, UpdateReviewState.RETURNED: 8}
)
EARLIER_REVIEW = _Picker.of({UpdateReviewState.APPROVED: 90, UpdateReviewState.RETURNED: 10})
SCOPE_PICKER = _Picker.of(SCOPE_WEIGHTS)
PARTICIPANT_STATUS = _Picker.of(
    {ParticipantStatus.ACCEPTED: 70, ParticipantStatus.INVITED: 15, ParticipantStatus.DECLINED: 15}
)
PARTICIPANT_ROLE = _Picker.of(
    {
        ParticipantRole.CO_PLEDGER: 60,
        ParticipantRole.IMPLEMENTING_PARTNER: 25,
        ParticipantRole.FUNDER: 15,
    }
)


def _plan_updates(
    rng: random.Random,
    *,
    published_on: date,
    as_of: date,
    forced_status: str | None,
    forced_review: str | None,
) -> list[_UpdatePlan]:
    """Progress reports roughly once per reporting cycle (6 to 13 months apart), from 2020 on,
    with some cycles skipped, a status that only moves forward, cumulative progress, and no
    report after the pledge is fulfilled or discontinued."""
    last_day = as_of - timedelta(days=1)
    dates = []
    day = published_on + timedelta(days=rng.randint(120, 400))
    if day < REPORTING_OPENS:
        day = REPORTING_OPENS + timedelta(days=rng.randint(0, 200))
    while day <= last_day and len(dates) < 6:
        if rng.random() < 0.7:
            dates.append(day)
        day += timedelta(days=rng.randint(180, 400))
    earliest = max(published_on, REPORTING_OPENS)
    if forced_status and not dates and earliest <= last_day:
        dates.append(_day_between(rng, earliest, last_day))

    steps: list[tuple[date, str, float]] = []
    status = FIRST_STATUS.pick(rng)
    progress = 0.0
    for k, day in enumerate(dates):
        if k:
            roll = rng.random()
            if roll < 0.04:
                status = ImplementationStatus.DISCONTINUED
            elif roll < 0.5 and status in STATUS_PATH[:-1]:
                status = STATUS_PATH[STATUS_PATH.index(status) + 1]
        if forced_status:
            status = forced_status
        if status == ImplementationStatus.IN_PROGRESS:
            progress = min(0.95, progress + rng.uniform(0.1, 0.4))
        elif status == ImplementationStatus.PLANNING:
            progress = min(progress + rng.uniform(0, 0.05), 0.95)
        elif status == ImplementationStatus.FULFILLED:
            progress = max(progress, rng.uniform(1.0, 1.15))
        steps.append((day, status, progress))
        if status in {ImplementationStatus.FULFILLED, ImplementationStatus.DISCONTINUED}:
            break  # nobody reports on a finished pledge

    plans = []
    for k, (day, status, progress) in enumerate(steps):
        if k < len(steps) - 1:
            review = EARLIER_REVIEW.pick(rng)
        elif forced_review:
            review = forced_review
        elif day < as_of - timedelta(days=180):
            review = EARLIER_REVIEW.pick(rng)  # the secretariat has long reviewed old reports
        else:
            review = LAST_REVIEW.pick(rng)
        plans.append(_UpdatePlan(day, status, review, progress))
    return plans


def _plan_fixed_updates(
    rng: random.Random, *, published_on: date, as_of: date, count: int
) -> list[_UpdatePlan]:
    """Exactly `count` reports spread between publication and yesterday (the benchmark's data
    shape: a known number of updates per pledge). The status only moves forward, the last report
    may still wait for review, earlier ones are approved."""
    first = max(published_on, REPORTING_OPENS) + timedelta(days=30)
    last_day = as_of - timedelta(days=1)
    span = max((last_day - first).days, 0)
    status = FIRST_STATUS.pick(rng)
    progress = 0.0
    plans = []
    for k in range(count):
        day = min(first + timedelta(days=span * (k + 1) // count), last_day)
        if k and status in STATUS_PATH[:-1] and rng.random() < 0.5:
            status = STATUS_PATH[STATUS_PATH.index(status) + 1]
        if status == ImplementationStatus.IN_PROGRESS:
            progress = min(0.95, progress + rng.uniform(0.1, 0.4))
        elif status == ImplementationStatus.FULFILLED:
            progress = max(progress, rng.uniform(1.0, 1.15))
        review = LAST_REVIEW.pick(rng) if k == count - 1 else UpdateReviewState.APPROVED
        plans.append(_UpdatePlan(day, status, review, progress))
    return plans


def _actual(target: _TargetPlan, progress: float) -> Decimal:
    base = float(target.baseline or 0)
    value = base + (float(target.value) - base) * progress
    if target.unit == TargetUnit.PERCENT:
        return Decimal(f"{min(100.0, value):.1f}")
    if target.unit == TargetUnit.USD:
        return Decimal(f"{value:.2f}")
    return Decimal(round(value))


PLEDGE_COLUMNS = (
    "id",
    "reference",
    "title",
    "description",
    "compact_id",
    "forum_id",
    "entity_id",
    "geography_scope",
    "support_platform_id",
    "contact_name",
    "contact_email",
    "start_date",
    "end_date",
    "amount",
    "currency_id",
    "announced_on",
    "review_state",
    "implementation_status",
    "submitted_at",
    "published_at",
    "last_update_on",
    "created_by_id",
    "created_at",
    "updated_at",
)


@dataclass(slots=True)
class _PledgeBundle:
    """A pledge (its row, in PLEDGE_COLUMNS order) and everything hanging off it."""

    id: int
    row: tuple[Any, ...]
    skeleton: _Skeleton
    amount: Decimal | None
    currency: str | None
    end_date: date | None
    submitted_at: datetime | None
    objectives: list[int]
    actions: list[int]
    principles: list[int]
    thematic_areas: list[int]
    support_types: list[int]
    countries: list[str]
    participants: list[tuple[int, str, str, datetime | None]]
    targets: list[tuple[str, _TargetPlan]]
    updates: list[_UpdatePlan]


class _PledgeBuilder:
    """Turns skeletons into complete pledges with one random stream, in skeleton order."""

    def __init__(
        self,
        *,
        ref: Reference,
        entities: Sequence[EntityRef],
        accounts: DemoAccounts,
        showcase: EntityRef,
        seed: int,
        updates_per_pledge: int | None = None,
    ) -> None:
        self.ref = ref
        self.rng = _stream(seed, "pledges")
        self.updates_per_pledge = updates_per_pledge
        self.entities = entities
        self.accounts = accounts
        self.showcase = showcase
        self.as_of = ref.as_of
        self.pending_objectives = {code: deque(c.objective_ids) for code, c in ref.compacts.items()}
        self.currencies = _Picker.of(
            {c: w for c, w in CURRENCY_WEIGHTS.items() if c in ref.currencies} or {"USD": 1}
        )
        self.pending_currencies = deque(self.currencies.items)
        self.pending_statuses = deque(ImplementationStatus)
        self.pending_reviews = deque([UpdateReviewState.PENDING, UpdateReviewState.RETURNED])
        self.support_codes = {pk: code for code, pk in ref.support_types.items()}
        self.domains: dict[int, str] = {}
        self.mailboxes: dict[tuple[str, str], str] = {}
        self.members = list(ref.member_codes)
        self.hosts = [c for c in HOST_CODES if c in ref.countries] or self.members
        self.origins = [c for c in ORIGIN_CODES if c in ref.countries] or self.members
        self.by_region: dict[str, list[str]] = defaultdict(list)
        for code in ref.member_codes:
            if ref.countries[code].region:
                self.by_region[ref.countries[code].region].append(code)

    def build(self, skeleton: _Skeleton, pk: int) -> _PledgeBundle:
        """The complete pledge for `skeleton`, with primary key `pk`."""
        rng, ref = self.rng, self.ref
        forum, entity = skeleton.forum, skeleton.entity
        compact = ref.compacts[forum.compact_code]

        # Objectives: always of the pledge's compact; the first pledges cover every objective.
        k = OBJECTIVE_COUNT.pick(rng)
        objectives: list[int] = []
        pending = self.pending_objectives[compact.code]
        if pending:
            objectives.append(pending.popleft())
        for objective in rng.sample(compact.objective_ids, min(k, len(compact.objective_ids))):
            if len(objectives) < k and objective not in objectives:
                objectives.append(objective)
        actions: list[int] = []
        for objective in objectives:
            if compact.action_ids.get(objective) and rng.random() < 0.5:
                pool = compact.action_ids[objective]
                actions.extend(rng.sample(pool, rng.randint(1, min(2, len(pool)))))
        principles: list[int] = []
        if compact.principle_ids and rng.random() < 0.6:
            principles = rng.sample(
                compact.principle_ids, min(len(compact.principle_ids), rng.randint(1, 3))
            )
        thematic: list[int] = []
        if compact.thematic_area_ids and rng.random() < 0.85:
            thematic = rng.sample(
                compact.thematic_area_ids, min(len(compact.thematic_area_ids), rng.randint(1, 2))
            )

        has_amount = rng.random() < 0.4
        amount: Decimal | None = None
        currency: str | None = None
        usd_amount = 0.0
        if has_amount:
            amount, currency = _money(
                rng, entity=entity, currencies=self.currencies, pending=self.pending_currencies
            )
            usd_amount = float(amount) * USD_PER_UNIT.get(currency, 1.0)
        support_ids = self._support_types(rng, has_amount=has_amount, objectives=objectives)

        scope, countries, platform = self._geography(
            rng, entity=entity, forum=forum, objective=objectives[0]
        )
        if compact.code == "GCM":
            anywhere = "countries of origin, transit and destination"
        elif compact.objective_numbers[objectives[0]] == 4:
            anywhere = "countries of origin"
        else:
            anywhere = "refugee-hosting countries worldwide"
        where = _where(ref, countries, scope, anywhere=anywhere)
        title = self._title(rng, compact=compact, forum=forum, objective=objectives[0], where=where)
        description = _description(rng, compact=compact.code, title=title, entity=entity.name)

        announced = skeleton.announced_on
        start_date = end_date = None
        if rng.random() < 0.88:
            start_date = announced + timedelta(days=rng.randint(0, 180))
            end_date = start_date + timedelta(days=rng.randint(365, 5 * 365))
        state = skeleton.state
        submitted_at = published_at = None
        last_day = self.as_of - timedelta(days=1)
        if state != ReviewState.DRAFT:
            # Submitted before or on the day of the announcement, in office hours (UTC).
            submitted_on = max(announced - timedelta(days=rng.randint(0, 30)), forum.year_span[0])
            submitted_at = _at(submitted_on, rng.randint(8, 11), rng.randint(0, 59))
            if state in WAS_PUBLISHED:
                published_on = min(submitted_on + timedelta(days=rng.randint(1, 45)), last_day)
                published_at = _at(max(published_on, submitted_on), rng.randint(13, 17))
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        has_contact = rng.random() < 0.95
        contact_name = contact_email = ""
        if has_contact:
            contact_name = f"{first} {last}"
            contact_email = f"{self._mailbox(first, last)}@{self._domain(entity)}"

        updates: list[_UpdatePlan] = []
        if state == ReviewState.PUBLISHED and published_at and self.updates_per_pledge:
            updates = _plan_fixed_updates(
                rng,
                published_on=published_at.date(),
                as_of=self.as_of,
                count=self.updates_per_pledge,
            )
        elif state == ReviewState.PUBLISHED and published_at:
            forced_status = self.pending_statuses[0] if self.pending_statuses else None
            # The pledge that shows a status must show it as approved, so that it also appears
            # as the pledge's implementation status.
            if forced_status:
                forced_review = UpdateReviewState.APPROVED
            else:
                forced_review = self.pending_reviews[0] if self.pending_reviews else None
            updates = _plan_updates(
                rng,
                published_on=published_at.date(),
                as_of=self.as_of,
                forced_status=forced_status,
                forced_review=forced_review,
            )
            if updates and forced_status:
                self.pending_statuses.popleft()
            elif updates and forced_review:
                self.pending_reviews.popleft()
        approved = [u for u in updates if u.review_state == UpdateReviewState.APPROVED]
        latest = approved[-1] if approved else None

        created_at = submitted_at or _at(announced, 9)
        row = (
            pk,
            f"{forum.code}-{skeleton.number:05d}",
            title[:300],
            description,
            compact.id,
            forum.id,
            entity.id,
            scope,
            platform,
            contact_name,
            contact_email,
            start_date,
            end_date,
            amount,
            currency,
            announced,
            state,
            latest.status if latest else "",
            submitted_at,
            published_at,
            latest.reported_on if latest else None,
            self.accounts.stakeholder.pk if entity.id == self.showcase.id else None,
            created_at,
            published_at or created_at,
        )
        return _PledgeBundle(
            id=pk,
            row=row,
            skeleton=skeleton,
            amount=amount,
            currency=currency,
            end_date=end_date,
            submitted_at=submitted_at,
            objectives=objectives,
            actions=actions,
            principles=principles,
            thematic_areas=thematic,
            support_types=support_ids,
            countries=countries,
            participants=self._participants(rng, entity=entity, submitted_at=submitted_at),
            targets=_plan_targets(
                rng,
                has_amount=has_amount,
                usd_amount=usd_amount,
                support_codes=[self.support_codes[s] for s in support_ids],
            ),
            updates=updates,
        )

    def _domain(self, entity: EntityRef) -> str:
        # Cached: slugify is slow and a State makes thousands of pledges.
        if entity.id not in self.domains:
            slug = slugify(_ascii(entity.name))[:40].strip("-") or "demo"
            self.domains[entity.id] = f"{slug}.example.org"
        return self.domains[entity.id]

    def _mailbox(self, first: str, last: str) -> str:
        key = (first, last)
        if key not in self.mailboxes:
            self.mailboxes[key] = f"{slugify(_ascii(first))}.{slugify(_ascii(last))}"
        return self.mailboxes[key]

    def _support_types(
        self, rng: random.Random, *, has_amount: bool, objectives: Sequence[int]
    ) -> list[int]:
        types = self.ref.support_types
        chosen: list[int] = []
        if has_amount and "financial" in types:
            chosen.append(types["financial"])
        third_country = any(
            self.ref.compacts["GCR"].objective_numbers.get(o) == 3
            for o in objectives
            if "GCR" in self.ref.compacts
        )
        if third_country and "places" in types and rng.random() < 0.7:
            chosen.append(types["places"])
        others = [pk for code, pk in types.items() if code != "financial" and pk not in chosen]
        while not chosen or (len(chosen) < 2 and rng.random() < 0.4):
            if not others:
                break
            pick = rng.choice(others)
            others.remove(pick)
            chosen.append(pick)
        return chosen

    def _geography(
        self, rng: random.Random, *, entity: EntityRef, forum: ForumRef, objective: int
    ) -> tuple[str, list[str], int | None]:
        """Scope, beneficiary countries and support platform. Host States pledge for
        themselves; others support hosting countries, or countries of origin when the pledge is
        about return."""
        ref = self.ref
        platforms = [
            p
            for p in ref.platforms
            if p.compact_code == forum.compact_code
            and p.country_codes
            and (p.launched_year is None or p.launched_year <= forum.year)
        ]
        if platforms and rng.random() < 0.12:
            platform = rng.choice(platforms)
            countries = rng.sample(
                platform.country_codes, rng.randint(1, len(platform.country_codes))
            )
            scope = GeographyScope.REGIONAL if len(countries) > 1 else GeographyScope.NATIONAL
            return scope, sorted(countries), platform.id
        if forum.compact_code == "GCM":
            pool = self.members
        elif ref.compacts[forum.compact_code].objective_numbers.get(objective) == 4:
            pool = self.origins
        else:
            pool = self.hosts
        scope = SCOPE_PICKER.pick(rng)
        if scope == GeographyScope.GLOBAL:
            return scope, [], None
        anchor = rng.choice(pool)
        own = entity.country_code
        if own in pool and rng.random() < 0.7:
            anchor = own
        region = ref.countries[anchor].region
        if scope == GeographyScope.REGIONAL and len(self.by_region.get(region, ())) > 1:
            others = [c for c in self.by_region[region] if c != anchor]
            countries = [anchor, *rng.sample(others, min(len(others), rng.randint(1, 5)))]
            return scope, sorted(countries), None
        return scope, [anchor], None

    def _title(
        self,
        rng: random.Random,
        *,
        compact: CompactRef,
        forum: ForumRef,
        objective: int,
        where: str,
    ) -> str:
        number = compact.objective_numbers[objective]
        if forum.kind == "hls":
            template = rng.choice(STATELESSNESS_TITLES)
        elif compact.code == "GCM" and number in GCM_TITLES:
            template = GCM_TITLES[number]
        elif compact.code == "GCR" and number in GCR_TITLES:
            template = rng.choice(GCR_TITLES[number])
        else:
            template = "Commitment to objective " + str(number) + " in {where}"
        places = rng.choice((25, 50, 100, 150, 200, 300, 500, 1000, 2000))
        return template.format(where=where, places=places)

    def _participants(
        self, rng: random.Random, *, entity: EntityRef, submitted_at: datetime | None
    ) -> list[tuple[int, str, str, datetime | None]]:
        """Co-pledgers on about 15% of pledges: (entity id, role, status, responded at)."""
        if rng.random() >= 0.15:
            return []
        rows = []
        chosen = {entity.id}
        for _ in range(rng.randint(1, 3)):
            other = self.entities[rng.randrange(len(self.entities))]
            if other.id in chosen:
                continue
            chosen.add(other.id)
            status = PARTICIPANT_STATUS.pick(rng)
            role = PARTICIPANT_ROLE.pick(rng)
            responded = None
            if status != ParticipantStatus.INVITED and submitted_at:
                responded = min(
                    submitted_at + timedelta(days=rng.randint(1, 30)),
                    _at(self.as_of - timedelta(days=1), 12),
                )
            rows.append((other.id, role, status, responded))
        return rows


M2M_FIELDS = (
    (Pledge.objectives, "objectives"),
    (Pledge.actions, "actions"),
    (Pledge.principles, "principles"),
    (Pledge.thematic_areas, "thematic_areas"),
    (Pledge.support_types, "support_types"),
    (Pledge.beneficiary_countries, "countries"),
)
PARTICIPANT_COLUMNS = (
    "pledge_id",
    "entity_id",
    "role",
    "status",
    "responded_at",
    "created_at",
    "updated_at",
)
TARGET_COLUMNS = ("id", "pledge_id", "metric", "unit", "baseline", "target_value", "due_date")
UPDATE_COLUMNS = (
    "id",
    "pledge_id",
    "status",
    "narrative",
    "challenges",
    "evidence_links",
    "disbursed_amount",
    "reported_on",
    "submitted_by_id",
    "review_state",
    "reviewed_by_id",
    "reviewed_at",
    "review_note",
    "created_at",
    "updated_at",
)
ACTUAL_COLUMNS = ("update_id", "target_id", "value")


def _write_bundles(
    bundles: Sequence[_PledgeBundle],
    *,
    writer: _Writer,
    accounts: DemoAccounts,
    showcase: EntityRef,
    as_of: date,
    rng: random.Random,
    counts: _Counts,
) -> list[_IndexRow]:
    """Insert one chunk of pledges and everything that hangs off them."""
    writer.insert(Pledge, PLEDGE_COLUMNS, [b.row for b in bundles])
    for descriptor, attr in M2M_FIELDS:
        writer.insert(
            descriptor.through,
            _through_columns(descriptor),
            [(b.id, value) for b in bundles for value in getattr(b, attr)],
        )
    participants = [
        (b.id, entity_id, role, status, responded, b.row[-2], responded or b.row[-2])
        for b in bundles
        for entity_id, role, status, responded in b.participants
    ]
    writer.insert(PledgeParticipant, PARTICIPANT_COLUMNS, participants)

    target_ids = iter(writer.reserve_ids(PledgeTarget, sum(len(b.targets) for b in bundles)))
    update_ids = iter(writer.reserve_ids(PledgeUpdate, sum(len(b.updates) for b in bundles)))
    targets: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    actuals: list[tuple[int, int, Decimal]] = []
    last_day = as_of - timedelta(days=1)
    for bundle in bundles:
        pledge_targets = []
        for metric, plan in bundle.targets:
            target_id = next(target_ids)
            pledge_targets.append((target_id, plan))
            targets.append(
                (
                    target_id,
                    bundle.id,
                    metric,
                    plan.unit,
                    plan.baseline,
                    plan.value,
                    bundle.end_date,
                )
            )
        submitter = accounts.stakeholder.pk if bundle.skeleton.entity.id == showcase.id else None
        for plan in bundle.updates:
            update_id = next(update_ids)
            reviewed = plan.review_state != UpdateReviewState.PENDING
            reviewed_on = min(plan.reported_on + timedelta(days=rng.randint(2, 40)), last_day)
            reviewed_at = _at(reviewed_on, rng.randint(13, 17)) if reviewed else None
            reported_at = _at(plan.reported_on, 10)
            disbursed = None
            if bundle.amount is not None:
                share = Decimal(f"{min(plan.progress, 1.0):.4f}")
                disbursed = (bundle.amount * share).quantize(Decimal("0.01"))
            reference = bundle.row[1].lower()
            updates.append(
                (
                    update_id,
                    bundle.id,
                    plan.status,
                    rng.choice(NARRATIVES[plan.status]),
                    rng.choice(CHALLENGES) if rng.random() < 0.5 else "",
                    [f"https://example.org/reports/{reference}.pdf"] if rng.random() < 0.3 else [],
                    disbursed,
                    plan.reported_on,
                    submitter,
                    plan.review_state,
                    accounts.secretariat.pk if reviewed else None,
                    reviewed_at,
                    (
                        rng.choice(RETURN_NOTES)
                        if plan.review_state == UpdateReviewState.RETURNED
                        else ""
                    ),
                    reported_at,
                    reviewed_at or reported_at,
                )
            )
            actuals.extend(
                (update_id, target_id, _actual(target, plan.progress))
                for target_id, target in pledge_targets
            )
    writer.insert(PledgeTarget, TARGET_COLUMNS, targets)
    writer.insert(PledgeUpdate, UPDATE_COLUMNS, updates)
    writer.insert(PledgeUpdateActual, ACTUAL_COLUMNS, actuals)

    counts.pledges += len(bundles)
    counts.participants += len(participants)
    counts.targets += len(targets)
    counts.updates += len(updates)
    counts.actuals += len(actuals)
    counts.currencies_used.update(b.currency for b in bundles if b.currency)
    return [
        _IndexRow(
            id=b.id,
            entity_id=b.skeleton.entity.id,
            entity_type=b.skeleton.entity.type_code,
            forum_id=b.skeleton.forum.id,
            compact_code=b.skeleton.forum.compact_code,
            state=b.skeleton.state,
            announced_on=b.skeleton.announced_on,
            has_amount=b.amount is not None,
        )
        for b in bundles
    ]


def create_links(*, rows: Sequence[_IndexRow], seed: int, writer: _Writer) -> int:
    """Typed links between the new pledges, never from a pledge to itself: every superseded
    pledge is superseded by a later one, donors' pledges match host States' pledges, some pledges
    contribute to a multistakeholder pledge, and some rejected or withdrawn ones duplicate
    another."""
    rng = _stream(seed, "links")
    by_entity: dict[int, list[_IndexRow]] = defaultdict(list)
    by_forum: dict[int, list[_IndexRow]] = defaultdict(list)
    state_pledges: dict[int, list[_IndexRow]] = defaultdict(list)
    hubs: dict[int, list[_IndexRow]] = defaultdict(list)
    for row in rows:
        by_entity[row.entity_id].append(row)
        by_forum[row.forum_id].append(row)
        if row.state == ReviewState.PUBLISHED:
            if row.entity_type == "state":
                state_pledges[row.forum_id].append(row)
            elif row.entity_type in {"un_agency", "ngo"} and len(hubs[row.forum_id]) < 5:
                hubs[row.forum_id].append(row)
    # (source, target, kind) -> when the link was made (the later pledge's announcement)
    links: dict[tuple[int, int, str], datetime] = {}

    def link(source: _IndexRow, target: _IndexRow, kind: str) -> None:
        if source.id != target.id and (source.id, target.id, kind) not in links:
            made = _at(max(source.announced_on, target.announced_on), 12)
            links[(source.id, target.id, kind)] = made

    def another(
        pool: Sequence[_IndexRow], row: _IndexRow, fits: Callable[[_IndexRow], bool]
    ) -> _IndexRow | None:
        """A random pledge of `pool` other than `row` that fits, if a few tries find one (a
        large State has thousands of pledges, so the pool is sampled, not filtered)."""
        for _ in range(20):
            candidate = rng.choice(pool)
            if candidate.id != row.id and fits(candidate):
                return candidate
        return None

    for row in rows:
        if row.state == ReviewState.SUPERSEDED:
            successor = another(
                by_entity[row.entity_id],
                row,
                lambda r, row=row: (
                    r.compact_code == row.compact_code and r.announced_on >= row.announced_on
                ),
            ) or another(by_forum[row.forum_id], row, lambda r: True)
            if successor:
                link(successor, row, LinkKind.SUPERSEDES)
        roll = rng.random()
        if (
            row.state == ReviewState.PUBLISHED
            and row.entity_type != "state"
            and row.has_amount
            and state_pledges[row.forum_id]
            and roll < 0.08
        ):
            link(row, rng.choice(state_pledges[row.forum_id]), LinkKind.MATCHES)
        elif hubs[row.forum_id] and roll > 0.96:
            link(row, rng.choice(hubs[row.forum_id]), LinkKind.CONTRIBUTES_TO)
        if row.state in {ReviewState.REJECTED, ReviewState.WITHDRAWN} and rng.random() < 0.25:
            original = another(by_entity[row.entity_id], row, lambda r: True) or another(
                by_forum[row.forum_id], row, lambda r: True
            )
            if original:
                link(row, original, LinkKind.DUPLICATE_OF)
    # Even a small demo shows every kind of link: add one plausible pair for any kind missing.
    published = [r for r in rows if r.state == ReviewState.PUBLISHED]
    candidates = {
        LinkKind.SUPERSEDES: (rows, [r for r in rows if r.state == ReviewState.SUPERSEDED]),
        LinkKind.MATCHES: (
            [r for r in published if r.entity_type != "state"],
            [r for r in published if r.entity_type == "state"],
        ),
        LinkKind.CONTRIBUTES_TO: (rows, [r for hub in hubs.values() for r in hub]),
        LinkKind.DUPLICATE_OF: (
            [r for r in rows if r.state in {ReviewState.REJECTED, ReviewState.WITHDRAWN}],
            rows,
        ),
    }
    present = {kind for _, _, kind in links}
    for kind, (sources, targets) in candidates.items():
        pair = next(
            ((s, t) for s in sources[:50] for t in targets[:50] if s.id != t.id),
            None,
        )
        if kind not in present and pair:
            link(*pair, kind)
    writer.insert(
        PledgeLink,
        ("source_id", "target_id", "kind", "created_at", "updated_at"),
        [(*key, made, made) for key, made in links.items()],
    )
    return len(links)


def save_counters(highest: dict[int, int]) -> None:
    """Let the app continue numbering after the demo pledges."""
    for forum_id, number in sorted(highest.items()):
        counter, created = PledgeReferenceCounter.objects.get_or_create(
            forum_id=forum_id, defaults={"last_number": number}
        )
        if not created and counter.last_number < number:
            counter.last_number = number
            counter.save(update_fields=["last_number"])


# --------------------------------------------------------------------------------------------
# Exchange rates and indicator values
# --------------------------------------------------------------------------------------------


def create_exchange_rates(
    *, ref: Reference, currencies: Iterable[str], seed: int, writer: _Writer
) -> int:
    """USD per unit for every currency used, at each year-end since 2018 and at each forum's
    first day, so that any amount can be converted at a nearby dated rate."""
    rng = _stream(seed, "rates")
    dates = {date(year, 12, 31) for year in range(2018, ref.as_of.year)}
    dates.update(f.start_date for f in ref.forums if f.start_date and f.start_date < ref.as_of)
    codes = sorted({*currencies, "USD"} & ref.currencies)
    existing = set(ExchangeRate.objects.filter(currency__in=codes).values_list("currency", "date"))
    rows = []
    for code in codes:
        centre = USD_PER_UNIT.get(code, 1.0)
        for day in sorted(dates):
            rate = 1.0 if code == "USD" else centre * (1 + rng.uniform(-0.08, 0.08))
            if (code, day) in existing:
                continue
            rows.append((code, day, Decimal(f"{rate:.6f}"), DEMO_SOURCE))
    writer.insert(ExchangeRate, ("currency_id", "date", "usd_per_unit", "source"), rows)
    return len(rows)


INDICATOR_VALUE_COLUMNS = (
    "indicator_id",
    "country_id",
    "year",
    "value",
    "numerator",
    "denominator",
    "source",
)
INDICATOR_COUNTRIES = "TR CO DE PK UG IR SD BD ET KE LB JO PE CD".split()


def create_indicator_values(*, ref: Reference, seed: int, writer: _Writer) -> int:
    """Values for every indicator, globally and for ten large hosting countries, for every year
    from 2018 to last year. Percentages carry numerator and denominator, and global figures are
    the sum of the countries plus the rest of the world, so that they aggregate correctly."""
    rng = _stream(seed, "indicators")
    countries = [c for c in INDICATOR_COUNTRIES if c in ref.countries][:10]
    years = list(range(2018, ref.as_of.year))
    existing = set(IndicatorValue.objects.values_list("indicator_id", "country_id", "year"))
    rows = []
    for indicator in Indicator.objects.order_by("compact__code", "code"):
        sign = -1 if indicator.direction == "lower" else 1
        totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
        entries: list[tuple[str | None, int, float, float | None, float | None]] = []
        for country in countries:
            size = _log_uniform(rng, 0.2, 5)  # relative size of the refugee population
            level = rng.uniform(0.15, 0.6)
            for year in years:
                trend = 1 + sign * 0.04 * (year - years[0]) + rng.uniform(-0.03, 0.03)
                match indicator.unit:
                    case "percent":
                        denominator = round(size * 400_000 * (1 + 0.05 * (year - years[0])))
                        share = min(0.98, max(0.01, level * trend))
                        numerator = round(denominator * share)
                        totals[year][0] += numerator
                        totals[year][1] += denominator
                        value = 100 * numerator / denominator
                        entries.append((country, year, value, numerator, denominator))
                    case "count":
                        value = max(1, round(size * 8 * trend))
                        entries.append((country, year, value, None, None))
                    case "usd":
                        value = round(size * 150_000_000 * trend, -3)
                        totals[year][0] += value
                        entries.append((country, year, value, None, None))
                    case _:
                        value = round(size * 6_000 * trend)
                        totals[year][0] += value
                        entries.append((country, year, value, None, None))
        for year in years:
            rest = rng.uniform(1.3, 2.0)  # the rest of the world
            match indicator.unit:
                case "percent":
                    numerator, denominator = totals[year][0] * rest, totals[year][1] * rest
                    numerator, denominator = round(numerator), round(denominator)
                    value = 100 * numerator / denominator if denominator else 0.0
                    entries.append((None, year, value, numerator, denominator))
                case "count":
                    value = round(35 * (1 + 0.04 * (year - years[0])) + rng.randint(-3, 3))
                    entries.append((None, year, value, None, None))
                case _:
                    entries.append((None, year, round(totals[year][0] * rest), None, None))
        for country, year, value, numerator, denominator in entries:
            if (indicator.pk, country, year) in existing:
                continue
            rows.append(
                (
                    indicator.pk,
                    country,
                    year,
                    Decimal(f"{value:.4f}"),
                    Decimal(numerator) if numerator is not None else None,
                    Decimal(denominator) if denominator else None,
                    DEMO_SOURCE,
                )
            )
    writer.insert(IndicatorValue, INDICATOR_VALUE_COLUMNS, rows)
    return len(rows)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """What one run created, for the command's closing report."""

    entities: int
    pledges: int
    participants: int
    links: int
    targets: int
    updates: int
    actuals: int
    exchange_rates: int
    indicator_values: int
    stakeholder_entity: str
    seconds: float


# Tables that receive many rows; the demo accounts and counters are written through the ORM.
LOADED_MODELS = (
    Entity,
    Pledge,
    *(descriptor.through for descriptor, _ in M2M_FIELDS),
    PledgeParticipant,
    PledgeLink,
    PledgeTarget,
    PledgeUpdate,
    PledgeUpdateActual,
    ExchangeRate,
    IndicatorValue,
)


# Below this many new pledges, or when the database already holds more than that, updating
# the indexes row by row is cheaper than rebuilding them over every row.
REBUILD_INDEXES_FROM = 20_000


def _mostly_new(pledges: int) -> bool:
    """Whether this run adds most of the rows, so that rebuilding the indexes pays."""
    return pledges >= REBUILD_INDEXES_FROM and Pledge.objects.count() < pledges


@contextmanager
def _without_garbage_collection() -> Iterator[None]:
    """The generator holds hundreds of thousands of objects without reference cycles; Python's
    cycle collector would re-scan them all again and again (measured: it doubled the run time
    at 100,000 pledges)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def seed_demo(
    *,
    pledges: int = DEFAULT_PLEDGES,
    seed: int = DEFAULT_SEED,
    as_of: date,
    log: Logger = lambda line: None,
    use_copy: bool | None = None,
    updates_per_pledge: int | None = None,
) -> DemoSummary:
    """Create a realistic demo data set of `pledges` pledges, identical for the same seed and
    `as_of` day on a fresh database. All or nothing: one transaction.

    `use_copy` chooses how rows are written (default: COPY on PostgreSQL, bulk_create
    elsewhere); the data are the same either way. `updates_per_pledge` gives every published
    pledge exactly that many progress reports instead of a realistic, varying number (the
    benchmark's data shape, `scripts/bench`)."""
    started = clock.monotonic()

    def stage(text: str) -> None:
        log(f"[{clock.monotonic() - started:5.1f} s] {text}")

    writer = _Writer(use_copy=use_copy)
    with (
        transaction.atomic(),
        _without_garbage_collection(),
        writer.bulk_load(LOADED_MODELS, rebuild_indexes=_mostly_new(pledges)),
    ):
        stage("Reading reference data…")
        ref = load_reference(as_of)
        stage(f"Creating entities: {len(ref.member_codes)} States and organisations of every type…")
        entities, showcase = create_entities(
            ref=ref, pledges=pledges, seed=seed, writer=writer, log=log
        )
        stage("Creating the demo accounts…")
        accounts = ensure_demo_accounts(showcase_entity_id=showcase.id)
        stage(f"Creating {pledges} pledges across {len(ref.forums)} past forums…")
        skeletons = _plan_skeletons(
            ref=ref, entities=entities, showcase=showcase, pledges=pledges, seed=seed
        )
        highest = _number_references(skeletons, ref)
        builder = _PledgeBuilder(
            ref=ref,
            entities=entities,
            accounts=accounts,
            showcase=showcase,
            seed=seed,
            updates_per_pledge=updates_per_pledge,
        )
        write_rng = _stream(seed, "updates")
        counts = _Counts()
        rows: list[_IndexRow] = []
        pledge_ids = writer.reserve_ids(Pledge, len(skeletons))

        def written(index: list[_IndexRow] | None) -> None:
            if index is not None:
                rows.extend(index)
                log(f"  {len(rows)}/{pledges} pledges written with their targets and updates")

        with _Pipeline(writer) as pipeline:
            for start in range(0, len(skeletons), CHUNK):
                chunk = skeletons[start : start + CHUNK]
                ids = pledge_ids[start : start + CHUNK]
                bundles = [builder.build(s, pk) for s, pk in zip(chunk, ids, strict=True)]
                job = partial(
                    _write_bundles,
                    bundles,
                    writer=writer,
                    accounts=accounts,
                    showcase=showcase,
                    as_of=as_of,
                    rng=write_rng,
                    counts=counts,
                )
                written(pipeline.submit(job))
            written(pipeline.finish())
        stage("Linking pledges…")
        counts.links = create_links(rows=rows, seed=seed, writer=writer)
        save_counters(highest)
        stage("Creating exchange rates…")
        rates = create_exchange_rates(
            ref=ref, currencies=counts.currencies_used, seed=seed, writer=writer
        )
        stage("Creating indicator values…")
        values = create_indicator_values(ref=ref, seed=seed, writer=writer)
        stage("Building indexes, checking foreign keys and committing…")
    return DemoSummary(
        entities=len(entities),
        pledges=counts.pledges,
        participants=counts.participants,
        links=counts.links,
        targets=counts.targets,
        updates=counts.updates,
        actuals=counts.actuals,
        exchange_rates=rates,
        indicator_values=values,
        stakeholder_entity=showcase.name,
        seconds=clock.monotonic() - started,
    )


def demo_data_exists() -> bool:
    """Whether any pledge exists (`--if-empty` then leaves the database alone)."""
    return Pledge.objects.exists()
