"""The fields an import fills, and the column names (in the six languages where we know them)
that map to each, so that a file's columns are matched to fields automatically."""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ImportKind


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    synonyms: tuple[str, ...]
    required: bool = False
    help: str | Promise = ""


def normalise_header(text: str) -> str:
    """A header as compared: no accents, case, punctuation or spacing ("N° d'identification" and
    "n d identification" are the same)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", bare.casefold()).strip()


PLEDGE_FIELDS: tuple[Field, ...] = (
    Field(
        "external_id",
        _("External id"),
        (
            "external id",
            "pledge id",
            "id",
            "source id",
            "legacy id",
            "pledge number",
            "identifiant",
            "id de l engagement",
            "identifiant externe",
            "numero",
            "id del compromiso",
            "identificador",
            "identificador externo",
            "внешний идентификатор",
            "المعرف",
            "编号",
        ),
        required=True,
        help=_("The pledge's id in the source system: importing it again updates this pledge."),
    ),
    Field("compact", _("Compact"), ("compact", "pacte", "pacto", "договор", "الاتفاق", "契约")),
    Field(
        "title",
        _("Title"),
        (
            "title",
            "pledge title",
            "name of pledge",
            "titre",
            "titre de l engagement",
            "titulo",
            "título del compromiso",
            "название",
            "العنوان",
            "标题",
        ),
        required=True,
    ),
    Field(
        "description",
        _("Description"),
        (
            "description",
            "pledge description",
            "details",
            "descripcion",
            "описание",
            "الوصف",
            "说明",
        ),
    ),
    Field("language", _("Language"), ("language", "langue", "idioma", "язык", "اللغة", "语言")),
    Field(
        "entity",
        _("Submitting entity"),
        (
            "entity",
            "submitting entity",
            "pledging entity",
            "submitted by",
            "organisation",
            "organization",
            "pledger",
            "entite",
            "entité",
            "organisme",
            "entidad",
            "organizacion",
            "организация",
            "الجهة",
            "实体",
        ),
        required=True,
    ),
    Field(
        "entity_country",
        _("Entity country"),
        (
            "entity country",
            "country of entity",
            "headquarters",
            "pays de l entite",
            "pais de la entidad",
            "страна организации",
        ),
    ),
    Field(
        "entity_type",
        _("Entity type"),
        (
            "entity type",
            "type of entity",
            "stakeholder type",
            "type d entite",
            "tipo de entidad",
            "тип организации",
        ),
    ),
    Field(
        "co_pledgers",
        _("Co-pledgers"),
        (
            "co pledgers",
            "co pledging entities",
            "joint pledgers",
            "co signataires",
            "co auteurs",
            "entidades copromitentes",
            "cocompromitentes",
            "соавторы",
        ),
    ),
    Field(
        "objectives",
        _("Objectives"),
        (
            "objectives",
            "objective",
            "gcr objectives",
            "gcm objectives",
            "objectifs",
            "objectif",
            "objetivos",
            "objetivo",
            "цели",
            "الأهداف",
            "目标",
        ),
    ),
    Field(
        "actions",
        _("GCM actions"),
        ("actions", "gcm actions", "action", "mesures", "acciones", "действия"),
    ),
    Field(
        "countries",
        _("Beneficiary countries"),
        (
            "countries",
            "beneficiary countries",
            "country",
            "location",
            "pays",
            "pays beneficiaires",
            "paises",
            "paises beneficiarios",
            "pais",
            "страны",
            "البلدان",
            "国家",
        ),
    ),
    Field(
        "support_types",
        _("Support types"),
        (
            "support types",
            "type of support",
            "types of support",
            "support type",
            "type de soutien",
            "types de soutien",
            "tipo de apoyo",
            "tipos de apoyo",
            "вид поддержки",
        ),
    ),
    Field(
        "thematic_areas",
        _("Thematic areas"),
        (
            "thematic areas",
            "thematic area",
            "area of focus",
            "areas of focus",
            "themes",
            "domaines thematiques",
            "domaine thematique",
            "areas tematicas",
            "area tematica",
            "тематические области",
        ),
    ),
    Field(
        "amount",
        _("Amount"),
        (
            "amount",
            "financial amount",
            "pledged amount",
            "value",
            "montant",
            "monto",
            "importe",
            "cantidad",
            "сумма",
            "المبلغ",
            "金额",
        ),
    ),
    Field(
        "currency",
        _("Currency"),
        ("currency", "devise", "monnaie", "moneda", "валюта", "العملة", "货币"),
    ),
    Field("forum", _("Forum"), ("forum", "event", "foro", "evenement", "форум", "المنتدى", "论坛")),
    Field(
        "announced_on",
        _("Announced on"),
        (
            "announced on",
            "date",
            "pledge date",
            "date announced",
            "submission date",
            "date d annonce",
            "fecha",
            "fecha de anuncio",
            "дата",
            "التاريخ",
            "日期",
        ),
    ),
    Field(
        "status",
        _("Implementation status"),
        (
            "status",
            "implementation status",
            "progress status",
            "statut",
            "etat",
            "statut de mise en oeuvre",
            "estado",
            "estado de implementacion",
            "статус",
            "الحالة",
            "状态",
        ),
    ),
    Field(
        "scope",
        _("Geographic scope"),
        (
            "scope",
            "geographic scope",
            "geography",
            "portee",
            "portee geographique",
            "alcance",
            "alcance geografico",
            "охват",
        ),
    ),
    Field(
        "msp",
        _("Multistakeholder pledge"),
        (
            "multistakeholder pledge",
            "msp",
            "multi stakeholder pledge",
            "engagement multipartite",
            "compromiso multiactor",
            "compromiso de multiples partes",
        ),
    ),
)

ENTITY_FIELDS: tuple[Field, ...] = (
    Field(
        "name",
        _("Name"),
        (
            "name",
            "entity",
            "entity name",
            "organisation",
            "organization",
            "nom",
            "entite",
            "nom de l entite",
            "nombre",
            "entidad",
            "nombre de la entidad",
            "название",
            "الاسم",
            "名称",
        ),
        required=True,
    ),
    Field(
        "acronym",
        _("Acronym"),
        ("acronym", "abbreviation", "sigle", "acronyme", "sigla", "аббревиатура"),
    ),
    Field(
        "entity_type",
        _("Entity type"),
        (
            "type",
            "entity type",
            "stakeholder type",
            "type d entite",
            "tipo",
            "tipo de entidad",
            "тип",
        ),
    ),
    Field(
        "country",
        _("Country"),
        ("country", "headquarters", "pays", "pais", "страна", "البلد", "国家"),
    ),
    Field("website", _("Website"), ("website", "web site", "url", "site web", "sitio web", "сайт")),
    Field("description", _("Description"), ("description", "descripcion", "описание")),
)

UPDATE_FIELDS: tuple[Field, ...] = (
    Field(
        "pledge",
        _("Pledge (external id)"),
        (
            "pledge",
            "pledge id",
            "external id",
            "id",
            "identifiant",
            "id de l engagement",
            "id del compromiso",
            "identificador",
        ),
        required=True,
    ),
    Field("compact", _("Compact"), ("compact", "pacte", "pacto")),
    Field(
        "reported_on",
        _("Reported on"),
        (
            "reported on",
            "report date",
            "date",
            "date du rapport",
            "fecha",
            "fecha del informe",
            "дата",
        ),
        required=True,
    ),
    Field(
        "status",
        _("Implementation status"),
        ("status", "implementation status", "statut", "etat", "estado", "статус"),
        required=True,
    ),
    Field(
        "narrative",
        _("Narrative"),
        (
            "narrative",
            "progress",
            "progress made",
            "description",
            "recit",
            "avancement",
            "progres",
            "progresos",
            "narrativa",
            "описание",
        ),
        required=True,
    ),
    Field("challenges", _("Challenges"), ("challenges", "difficultes", "desafios", "dificultades")),
    Field(
        "disbursed",
        _("Amount disbursed"),
        (
            "disbursed",
            "amount disbursed",
            "disbursement",
            "disbursements",
            "montant decaisse",
            "decaissements",
            "monto desembolsado",
            "desembolsos",
        ),
    ),
    Field(
        "achieved",
        _("Achieved values"),
        (
            "achieved",
            "achieved value",
            "achieved values",
            "actual",
            "actuals",
            "realise",
            "valeur atteinte",
            "logrado",
            "valor alcanzado",
        ),
    ),
)

INDICATOR_VALUE_FIELDS: tuple[Field, ...] = (
    Field(
        "indicator",
        _("Indicator (code)"),
        (
            "indicator",
            "indicator code",
            "code",
            "indicateur",
            "indicador",
            "индикатор",
            "المؤشر",
            "指标",
        ),
        required=True,
    ),
    Field(
        "report",
        _("Report edition (year or title)"),
        (
            "report",
            "report edition",
            "indicator report",
            "rapport",
            "informe",
            "доклад",
            "التقرير",
            "报告",
        ),
    ),
    Field("compact", _("Compact"), ("compact", "pacte", "pacto", "пакт", "الاتفاق", "契约")),
    Field(
        "country",
        _("Country (empty: global)"),
        ("country", "country code", "iso3", "pays", "pais", "страна", "البلد", "国家"),
    ),
    Field(
        "year",
        _("Year"),
        ("year", "reference year", "annee", "ano", "год", "السنة", "年份"),
        required=True,
    ),
    Field(
        "value",
        _("Value"),
        ("value", "valeur", "valor", "значение", "القيمة", "数值"),
        required=True,
    ),
    Field("numerator", _("Numerator"), ("numerator", "numerateur", "numerador", "числитель")),
    Field(
        "denominator",
        _("Denominator"),
        ("denominator", "denominateur", "denominador", "знаменатель"),
    ),
    Field("source", _("Source"), ("source", "fuente", "источник", "المصدر", "来源")),
)

RESOURCE_FIELDS: tuple[Field, ...] = (
    Field(
        "url",
        _("Address (URL)"),
        (
            "url",
            "link",
            "address",
            "web address",
            "lien",
            "adresse",
            "enlace",
            "direccion",
            "ссылка",
            "الرابط",
            "链接",
        ),
        required=True,
        help=_("Where the resource is published: importing it again updates this resource."),
    ),
    Field(
        "title",
        _("Title"),
        ("title", "name", "titre", "titulo", "название", "العنوان", "标题"),
        required=True,
    ),
    Field(
        "resource_type",
        _("Type"),
        (
            "type",
            "content type",
            "resource type",
            "category",
            "categorie",
            "tipo",
            "тип",
            "النوع",
            "类型",
        ),
        help=_("Publication, tool, practice, event, news or other (the hub's names too)."),
    ),
    Field(
        "date",
        _("Date"),
        (
            "date",
            "publication date",
            "published",
            "date de publication",
            "fecha",
            "дата",
            "التاريخ",
            "日期",
        ),
    ),
    Field(
        "summary",
        _("Summary"),
        ("summary", "description", "abstract", "resume", "resumen", "описание", "الملخص", "摘要"),
    ),
    Field(
        "publisher",
        _("Publisher"),
        (
            "publisher",
            "author",
            "organization",
            "organisation",
            "source",
            "editeur",
            "auteur",
            "editor",
            "autor",
            "издатель",
            "الناشر",
            "出版者",
        ),
    ),
    Field(
        "languages",
        _("Languages"),
        (
            "language",
            "languages",
            "langue",
            "langues",
            "idioma",
            "idiomas",
            "язык",
            "اللغة",
            "语言",
        ),
    ),
    Field(
        "objectives",
        _("Objectives"),
        (
            "objective",
            "objectives",
            "gcm objectives",
            "objectif",
            "objectifs",
            "objetivo",
            "objetivos",
            "цели",
            "الأهداف",
            "目标",
        ),
        help=_("GCM objectives by number or label; “GCR 2” for the refugee compact."),
    ),
    Field(
        "principles",
        _("Guiding principles"),
        (
            "guiding principles",
            "guiding principle",
            "principles",
            "principes directeurs",
            "principios rectores",
        ),
    ),
    Field("region", _("Region"), ("region", "région", "región", "регион", "المنطقة", "区域")),
    Field(
        "countries",
        _("Countries"),
        ("country", "countries", "pays", "pais", "paises", "страна", "страны", "البلد", "国家"),
    ),
    Field(
        "pledges",
        _("Related pledges"),
        ("related pledges", "pledges", "pledge references", "engagements", "compromisos"),
    ),
)

KIND_FIELDS: Mapping[str, tuple[Field, ...]] = {
    ImportKind.UPDATES: UPDATE_FIELDS,
    ImportKind.PLEDGES: PLEDGE_FIELDS,
    ImportKind.ENTITIES: ENTITY_FIELDS,
    ImportKind.INDICATOR_VALUES: INDICATOR_VALUE_FIELDS,
    ImportKind.RESOURCES: RESOURCE_FIELDS,
}


def fields_of(kind: str) -> tuple[Field, ...]:
    return KIND_FIELDS[kind]


def _synonym_index(fields: Sequence[Field]) -> dict[str, str]:
    index: dict[str, str] = {}
    for field in fields:
        for name in (field.key, str(field.label), *field.synonyms):
            index.setdefault(normalise_header(name), field.key)
    return index


def auto_mapping(kind: str, headers: Sequence[str]) -> dict[str, str]:
    """{header: field key} for the headers whose name is one we know; each field once (the
    first column that names it)."""
    index = _synonym_index(fields_of(kind))
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = index.get(normalise_header(header))
        if header and key and key not in taken:
            mapping[header] = key
            taken.add(key)
    return mapping


def header_matcher(kind: str) -> "HeaderMatcher":
    return HeaderMatcher(kind)


class HeaderMatcher:
    """Whether a row looks like the header of a file of `kind`: it names at least two known
    columns, one of them required."""

    def __init__(self, kind: str) -> None:
        self.index = _synonym_index(fields_of(kind))
        self.required = {f.key for f in fields_of(kind) if f.required}

    def __call__(self, cells: list[str]) -> bool:
        keys = {self.index.get(normalise_header(c)) for c in cells if c}
        keys.discard(None)
        return len(keys) >= 2 and bool(keys & self.required)


# Words that only a header in that language uses: they tell which language the file's names
# (of countries, support types…) are written in, besides English.
LANGUAGE_WORDS: Mapping[str, frozenset[str]] = {
    "fr": frozenset(
        {
            "titre",
            "pays",
            "montant",
            "devise",
            "statut",
            "entite",
            "objectifs",
            "identifiant",
            "nom",
            "sigle",
            "site web",
            "indicateur",
            "rapport",
            "annee",
            "valeur",
        }
    ),
    "es": frozenset(
        {
            "titulo",
            "paises",
            "pais",
            "monto",
            "moneda",
            "estado",
            "entidad",
            "objetivos",
            "nombre",
            "sigla",
            "sitio web",
            "indicador",
            "informe",
            "ano",
            "valor",
        }
    ),
    "ru": frozenset({"название", "страны", "сумма", "валюта", "статус", "организация"}),
    "ar": frozenset({"العنوان", "البلدان", "المبلغ", "العملة", "الحالة", "الجهة"}),
    "zh-hans": frozenset({"标题", "国家", "金额", "货币", "状态", "实体"}),
}


def header_language(headers: Sequence[str]) -> str | None:
    """The language other than English that most of the headers are written in, if any."""
    words = {normalise_header(h) for h in headers}
    scores = {code: len(words & vocabulary) for code, vocabulary in LANGUAGE_WORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] >= 2 else None
