"""The demo's word lists and weights: names, titles, prose and how often each kind of thing occurs.

Plain tuples and dicts rather than Faker, so that a seed gives the same data after any library
upgrade. Everything here is data; the generator modules decide how to draw from it.
"""

from pledges.models import GeographyScope, ImplementationStatus, ReviewState, TargetUnit

SHOWCASE_ENTITY = ("Demo Alliance for Refugees and Migrants", "ngo")
DEMO_SOURCE = "Demo data (generated, not official figures)"


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
THE_CODES = set(
    "BS GM NL PH US GB AE RU CF DO SY LA MH SB KM MV NE SD CG CD KR KP MD TZ PS".split()
)
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
ACRONYM_TYPES = {
    "ngo",
    "ngo_international",
    "un_agency",
    "ifi",
    "regional_org",
    "refugee_led",
    "migrant_diaspora",
    "faith_based",
    "foundation",
    "other",
}
STOPWORDS = {"of", "for", "the", "and", "in", "on", "de", "des", "du", "la", "le"}

# Shares of organisations by type (States are one per member State, not drawn).
ORG_SHARES = {
    "ngo": 24,
    "ngo_international": 6,
    "migrant_diaspora": 3,
    "women_led": 3,
    "trade_union": 2,
    "nhri": 1,
    "red_cross": 1,
    "media": 1,
    "regional_org": 1,
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
TYPE_WEIGHTS: dict[str, dict[str, float]] = {
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
# Relative pledge volumes per kind of forum, after the real pledge counts of past forums.
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
NARRATIVES: dict[str, tuple[str, ...]] = {  # by ImplementationStatus
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
