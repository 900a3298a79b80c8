"""Load the reference data the app ships with: ISO countries and currencies, the two compacts with
their objectives, actions and principles, forums, entity and support types, thematic areas, support
platforms, the GCR indicator framework's editions, their indicators and the indicator reports.

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
M49 region. Since issue 18, English country names are the UN's (M49/UNTERM) where they differ from
ISO's, and Kosovo (XK) is listed with the UN's footnote: the header of `countries.csv` says how.

Translations (issue 16): a JSON row may carry `"translations": {"fr": {"title": …, "official":
true, "source": "A/RES/73/195 … https://…"}, …}` for the fields registered with
django-modeltranslation (`*/translation.py`). `official` is true only for the UN's own published
text, whose document symbol and address `source` records; our own translations say `"official":
false`. Where the fields of one language differ, `official` names each field, e.g. `{"title":
true, "short_label": false}` for a title copied from the UN with a label the project wrote, and
`source` says where each field comes from. A language whose main text (the first translated
field in the model's order: an objective's `title`, a principle's `name`, an action's `text`) is
not the UN's is stored in the row's `unofficial_languages`, and pages mark that text. A language
a row leaves out is not shipped (it falls back to English, and `update=True` does not blank what
the secretariat typed). Country
and currency names in the five other languages are not in `countries.csv`/`currencies.csv`: they
come from the CLDR data in Babel (`babel.Locale("fr").territories["KE"]`, `.currencies["KES"]`),
never typed by hand.
"""

import csv
import json
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop, ngettext
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    OfficialTextMixin,
    SupportPlatform,
    ThematicArea,
)
from compacts.progress_marks import mark_objectives_stale
from core.models import Country, Currency
from forums.models import Forum, ForumKind, RegionalReview
from goals.models import LEGACY_FIGURE_LABELS, Goal, OfficialFigure
from goals.services import mark_goals_stale
from indicators.models import FrameworkEdition, Indicator, ReportEdition
from partnerships.models import MultistakeholderPledge
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
    from .followup_documents import load_followup_documents  # it imports this module's helpers

    # English is the language of the untranslated columns (`title`), which the API's SQL reads:
    # under another active language, `Objective(title=…)` would write that language's column.
    with transaction.atomic(), translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
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
            load_regional_reviews(update=update),
            load_entity_types(update=update),
            load_support_types(update=update),
            *load_indicator_frameworks(update=update),
            load_indicators(update=update),
            *load_forum_goals(update=update),
            load_multistakeholder_pledges(update=update),
            load_followup_documents(update=update),
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
    """ISO 3166-1 countries and territories, and Kosovo, with their UN M49 region and
    sub-region, named in English as the UN names them (the CSV: UN M49/UNTERM where it differs
    from ISO 3166-1) and in the five other UN languages by CLDR (Babel); a footnote (Kosovo's)
    in English from the CSV and in the other languages from the translation catalogs."""
    rows = _read_csv("countries.csv")
    for row in rows:
        row.pop("name_source", None)  # documentation: which list the English name follows
        for language in _other_languages():
            name = cldr_country_name(row["code"], language)
            if name:
                row[build_localized_fieldname("name", language)] = name
            footnote = _catalog_translation(row.get("footnote", ""), language)
            if footnote:
                row[build_localized_fieldname("footnote", language)] = footnote
    return sync_rows(Country, rows, key=("code",), update=update)


# The footnotes countries.csv ships, marked for the translation catalogs.
SHIPPED_FOOTNOTES = [
    gettext_noop(
        "References to Kosovo shall be understood to be in the context of United Nations"
        " Security Council resolution 1244 (1999)."
    ),
]


def _catalog_translation(text: str, language: str) -> str | None:
    """`text` in `language` from the project's catalogs, or None while it has no translation
    there (the page then falls back to English, and a later load fills the column)."""
    if not text:
        return None
    with translation.override(language):
        translated = gettext(text)
    return translated if translated != text else None


def cldr_country_name(code: str, language: str) -> str | None:
    """The name CLDR gives the territory `code` in `language` (a Django code: "zh-hans")."""
    return Locale.parse(translation.to_locale(language)).territories.get(code)


def _other_languages() -> list[str]:
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    return [code for code, _name in settings.LANGUAGES if code != default]


def load_currencies(*, update: bool = False) -> TableSummary:
    """Active ISO 4217 currencies in which a pledge's amount may be stated, named in English by
    ISO 4217 (the CSV) and in the five other UN languages by CLDR (Babel)."""
    rows = _read_csv("currencies.csv")
    for row in rows:
        for language in _other_languages():
            name = Locale.parse(translation.to_locale(language)).currencies.get(row["code"])
            if name:
                row[build_localized_fieldname("name", language)] = name
    return sync_rows(Currency, rows, key=("code",), update=update)


def load_compacts(*, update: bool = False) -> TableSummary:
    """The GCR and the GCM."""
    return sync_rows(Compact, _read_json("compacts.json"), key=("code",), update=update)


def load_objectives(*, update: bool = False) -> TableSummary:
    """GCR objectives 1–4 and GCM objectives 1–23 with their official titles."""
    rows = _with_compact_ids(_read_json("objectives.json"))
    return sync_rows(Objective, rows, key=("compact_id", "number"), update=update)


def load_objective_actions(*, update: bool = False) -> TableSummary:
    """Lettered GCM actions as adopted (A/RES/73/195 ¶17–39), each with its source. Only the
    actions whose text could be checked against the resolution are shipped (the objectives
    still missing some are listed in bootstrap/data/SOURCES.md); the secretariat adds the
    others in the admin."""
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
    """GRF, HLOM, progress reviews, IMRF and the rounds of GCM regional reviews (whose reviews,
    one per UN regional commission, are `load_regional_reviews`'), keyed on their pledge prefix."""
    rows = _with_compact_ids(_read_json("forums.json"))
    return sync_rows(Forum, rows, key=("code",), update=update)


def load_regional_reviews(*, update: bool = False) -> TableSummary:
    """The GCM regional reviews, one per UN regional commission and round; a row names its
    round by the round's forum code and cites where its dates and place are published."""
    rounds = dict(Forum.objects.filter(kind=ForumKind.REGIONAL_REVIEW).values_list("code", "id"))
    rows = []
    for row in _read_json("regional_reviews.json"):
        code = row.pop("round", None)
        if code not in rounds:
            _report(f"{row[WHERE]}: round: no round of regional reviews {code!r}")
            continue
        row["round_id"] = rounds[code]
        rows.append(row)
    return sync_rows(RegionalReview, rows, key=("round_id", "commission"), update=update)


def load_entity_types(*, update: bool = False) -> TableSummary:
    """Kinds of pledging actor, in the order forms list them."""
    return sync_rows(EntityType, _read_json("entity_types.json"), key=("code",), update=update)


def load_support_types(*, update: bool = False) -> TableSummary:
    """Kinds of support a pledge offers, in the order forms list them."""
    return sync_rows(SupportType, _read_json("support_types.json"), key=("code",), update=update)


def load_indicator_frameworks(*, update: bool = False) -> list[TableSummary]:
    """The editions of the indicator frameworks and, within each, the indicator reports based
    on it (indicator_frameworks.json): editions keyed on their slug, reports on their edition
    and year. Each row says where it comes from (`source`)."""
    editions = _with_compact_ids(_read_json("indicator_frameworks.json"))
    reports: list[Row] = []
    for edition in editions:
        for number, report in enumerate(edition.pop("reports", []), start=1):
            reports.append(
                {**report, WHERE: f"{edition[WHERE]} report {number}", "edition": edition["slug"]}
            )
    edition_summary = sync_rows(FrameworkEdition, editions, key=("slug",), update=update)
    edition_ids = dict(FrameworkEdition.objects.values_list("slug", "id"))
    for report in reports:
        report["framework_id"] = edition_ids.get(report.pop("edition"))
    report_summary = sync_rows(ReportEdition, reports, key=("framework_id", "year"), update=update)
    if report_summary.created or report_summary.updated:
        # A new or re-dated report can change which of a year's values progress uses.
        mark_objectives_stale(
            set(
                Indicator.objects.filter(values__report__isnull=False).values_list(
                    "objective_id", flat=True
                )
            )
        )
    return [edition_summary, report_summary]


def load_indicators(*, update: bool = False) -> TableSummary:
    """The indicators of each framework edition, each attached to the objective it measures and
    keyed on its edition and code."""
    rows = _with_objective_ids(_read_json("indicators.json"), keep_compact=True)
    edition_ids = dict(FrameworkEdition.objects.values_list("slug", "id"))
    kept = []
    for row in rows:
        slug = row.pop("edition", None)
        if slug not in edition_ids:
            _report(f"{row.get(WHERE)}: edition: no framework edition {slug!r}")
            continue
        row["edition_id"] = edition_ids[slug]
        kept.append(row)
    return sync_rows(Indicator, kept, key=("edition_id", "code"), update=update)


def load_forum_goals(*, update: bool = False) -> list[TableSummary]:
    """Each forum's collective goals and official figures (forum_goals.json): goals keyed on
    their forum and position in the file, figures on their forum and English label. Goals
    changed by `update` are marked for the progress engine."""
    forum_ids = dict(Forum.objects.values_list("code", "id"))
    goals: list[Row] = []
    figures: list[Row] = []
    for entry in _read_json("forum_goals.json"):
        where = entry[WHERE]
        code = entry.get("forum")
        if code not in forum_ids:
            _report(f"{where}: forum: no forum {code!r}")
            continue
        for number, goal in enumerate(entry.get("goals", []), start=1):
            goals.append(
                {
                    **goal,
                    WHERE: f"{where} goal {number}",
                    "forum_id": forum_ids[code],
                    "position": number,
                    "is_reference": True,
                }
            )
        for number, figure in enumerate(entry.get("figures", []), start=1):
            figures.append(
                {
                    **figure,
                    WHERE: f"{where} figure {number}",
                    "forum_id": forum_ids[code],
                    "unit": str(figure.get("unit", "")).lower(),  # "USD" in the file
                    "legacy_field": LEGACY_FIGURE_LABELS.get(figure.get("label", ""), ""),
                    "position": number,
                }
            )
    goal_summary = sync_rows(Goal, goals, key=("forum_id", "position"), update=update)
    # A new goal has nothing counted towards it yet (counting one marks it); a changed target
    # value or unit changes its figures.
    touched = goal_summary.updated_keys
    if touched:
        mark_goals_stale(
            pk
            for pk, forum_id, position in Goal.objects.values_list("pk", "forum_id", "position")
            if (forum_id, position) in touched
        )
    return [
        goal_summary,
        sync_rows(OfficialFigure, figures, key=("forum_id", "label"), update=update),
    ]


def load_multistakeholder_pledges(*, update: bool = False) -> TableSummary:
    """The multistakeholder pledges the UN lists (GRF 2023's), as reference records. A row
    names its title `name` (as thematic areas do) and its `source` as an address, optionally
    followed by what it is; its objectives are numbers within its compact."""
    forum_ids = dict(Forum.objects.values_list("code", "id"))
    area_ids = {
        (compact_id, slug): pk
        for compact_id, slug, pk in ThematicArea.objects.values_list("compact_id", "slug", "pk")
    }
    objective_ids = {
        (compact_id, number): pk
        for compact_id, number, pk in Objective.objects.values_list("compact_id", "number", "pk")
    }
    rows = _with_compact_ids(_read_json("multistakeholder_pledges.json"))
    wanted_objectives: dict[str, list[int]] = {}
    for row in rows:
        where = row.get(WHERE)
        row["title"] = row.pop("name", "")
        for texts in (row.get("translations") or {}).values():
            if "name" in texts:
                texts["title"] = texts.pop("name")
        url, _space, note = str(row.pop("source", "") or "").partition(" ")
        row["source_url"], row["source_note"] = url, note.strip().strip("()")
        row["is_reference"] = True
        forum = row.pop("forum", None)
        if forum is not None and forum not in forum_ids:
            _report(f"{where}: forum: no forum {forum!r}")
        row["forum_id"] = forum_ids.get(forum) if forum else None
        area = row.pop("thematic_area", None)
        if area is not None and (row["compact_id"], area) not in area_ids:
            _report(f"{where}: thematic_area: no thematic area {area!r}")
        row["thematic_area_id"] = area_ids.get((row["compact_id"], area)) if area else None
        numbers = row.pop("objectives", None) or []
        missing = [n for n in numbers if (row["compact_id"], n) not in objective_ids]
        if missing:
            _report(f"{where}: objectives: no objective {missing}")
        wanted_objectives[row["slug"]] = [
            objective_ids[(row["compact_id"], n)]
            for n in numbers
            if (row["compact_id"], n) in objective_ids
        ]
    summary = sync_rows(MultistakeholderPledge, rows, key=("slug",), update=update)
    # Objectives are a set: given to new rows, and reset on existing ones only with --update.
    changed = {key[0] for key in summary.created_keys | (summary.updated_keys if update else set())}
    for msp in MultistakeholderPledge.objects.filter(slug__in=changed):
        msp.objectives.set(wanted_objectives.get(msp.slug, []))
    return summary


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
    rows = [_with_translations(model, row) for row in rows]
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
        # A release that ships new translations fills the empty columns without --update.
        filled = [] if update else _fill_missing_translations(obj, values, differing)
        differing = [name for name in differing if name not in filled]
        if update:
            for name in differing:
                setattr(obj, name, values[name])
        changed = filled + differing if update else filled
        if changed:
            to_update.append(obj)
            changed_fields.update(changed)
            summary.updated_keys.add(row_key)
        else:
            summary.unchanged += 1
        if differing and not update:
            summary.kept += 1
            summary.kept_keys.add(row_key)
    # Written even after a problem (the load rolls everything back at the end), so that later
    # files are checked against these rows instead of reporting every child of a bad parent.
    if to_create or to_update:
        _write(model, to_create, to_update, changed_fields, label=summary.label)
    summary.created = len(to_create)
    summary.updated = len(to_update)
    return summary


def _write(
    model: type[models.Model],
    to_create: Sequence[models.Model],
    to_update: Sequence[models.Model],
    changed_fields: set[str],
    *,
    label: str,
) -> None:
    """Insert the new rows and save the changed fields of the others, reporting a constraint
    the rows break instead of raising."""
    try:
        with transaction.atomic():
            model._default_manager.bulk_create(to_create)
            if to_update:
                # The untranslated columns (`title`) are copied from English just after:
                # written here, a row without the text (no commitment) would write NULL.
                columns = sorted(changed_fields - set(_translated_fields(model)))
                if columns:
                    model._default_manager.bulk_update(to_update, columns)
                _copy_english_to_untranslated_columns(model, to_update)
    except IntegrityError as error:
        _report(f"{label}: {error}".strip())


def _translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """In the model's field order (the first is the main text): modeltranslation's own order
    changes from process to process (it builds it from a set)."""
    try:
        names = translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return ()
    return tuple(f.name for f in model._meta.concrete_fields if f.name in names)


def _with_translations(model: type[models.Model], row: Row) -> Row:
    """The row with its `translations` spread over the per-language columns (`title_fr`), and,
    on models that keep it, the list of languages whose main shipped text is not the UN's."""
    fields = _translated_fields(model)
    translations = row.pop("translations", None)
    if not fields:
        if translations is not None:
            _report(f"{row.get(WHERE)}: translations: {model._meta.label} is not translated")
        return row
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    for name in fields:
        if name in row:  # the English text is the row's own
            row[build_localized_fieldname(name, default)] = row[name]
    if translations is None:
        return row
    languages = set(_other_languages())
    unofficial = []
    for language, texts in translations.items():
        if language not in languages:
            _report(f"{row.get(WHERE)}: translations: no language {language!r}")
        elif not _spread_translation(row, fields, language, dict(texts)):
            unofficial.append(language)
    if any(f.name == "unofficial_languages" for f in model._meta.concrete_fields):
        row["unofficial_languages"] = sorted(unofficial)
    return row


def _fill_missing_translations(
    obj: models.Model, values: Row, differing: Sequence[str]
) -> list[str]:
    """Set the shipped translations and texts whose column is still empty and return the
    fields set: a release that ships a new text (an objective's commitment, an action's
    source) fills it without --update, while a text somebody typed is never replaced.
    Languages shipped as unofficial join `unofficial_languages`, so that a new text is never
    shown as official by mistake."""
    localized = {
        build_localized_fieldname(name, language)
        for name in _translated_fields(type(obj))
        for language in _other_languages()
    }
    opts = type(obj)._meta

    def fillable(name: str) -> bool:
        if getattr(obj, name) not in (None, ""):
            return False
        if name in localized:
            return True
        model_field = opts.get_field(name)
        return (
            isinstance(model_field, models.CharField | models.TextField) and not model_field.choices
        )

    filled = [n for n in differing if fillable(n)]
    for name in filled:
        setattr(obj, name, values[name])
    if filled and isinstance(obj, OfficialTextMixin) and "unofficial_languages" in differing:
        shipped = set(values["unofficial_languages"])
        if not shipped <= set(obj.unofficial_languages):
            obj.unofficial_languages = sorted(set(obj.unofficial_languages) | shipped)
            filled.append("unofficial_languages")
    return filled


def _spread_translation(row: Row, fields: Sequence[str], language: str, texts: Row) -> bool:
    """Put one language's texts into the row's columns; True when its main text (the first
    registered field, beside which pages put the unofficial marker) is the UN's own."""
    official = texts.pop("official", None)
    source = texts.pop("source", "")
    for name, text in texts.items():
        if name not in fields:
            _report(f"{row.get(WHERE)}: translations: {language}: {name} is not translated")
            continue
        row[build_localized_fieldname(name, language)] = text
    per_field = _official_fields(row, language, official, texts)
    if per_field is None or (any(per_field.values()) and not source):
        _report(
            f"{row.get(WHERE)}: translations: {language}: say whether the text is official,"
            " and where the UN publishes it (source)"
        )
        return False
    return per_field.get(fields[0], True)


def _official_fields(
    row: Row, language: str, official: object, texts: Row
) -> dict[str, bool] | None:
    """`official` as {field: bool} for the fields the language ships, or None when it is neither
    a bool nor an object naming exactly those fields with a bool each."""
    if isinstance(official, bool):
        return dict.fromkeys(texts, official)
    if not isinstance(official, dict):
        return None
    if set(official) != set(texts) or not all(isinstance(v, bool) for v in official.values()):
        _report(
            f"{row.get(WHERE)}: translations: {language}: official: name each shipped field"
            f" ({', '.join(sorted(texts))}) with true or false"
        )
    return {name: value for name, value in official.items() if isinstance(value, bool)}


def _copy_english_to_untranslated_columns(
    model: type[models.Model], objs: Sequence[models.Model]
) -> None:
    """`bulk_update` writes `title_en` for `title`; the untranslated column, which raw SQL (the
    pledge API) reads, keeps the English text too."""
    fields = _translated_fields(model)
    if not fields:
        return
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    # modeltranslation's manager: without rewriting, `title` names the untranslated column.
    manager: Any = model._default_manager
    # A text no row ships (an objective without a commitment) has no English column yet.
    manager.rewrite(False).filter(pk__in=[obj.pk for obj in objs]).update(
        **{
            name: Coalesce(F(build_localized_fieldname(name, default)), Value(""))
            for name in fields
        }
    )


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
        lines = f.read().splitlines()
    # Lines starting with "#" before the header say where the data comes from.
    comments = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    # An empty cell means "not shipped" (e.g. Antarctica's region), like a key left out of JSON.
    return [
        {**{k: v for k, v in row.items() if v != ""}, WHERE: f"{name} line {number}"}
        for number, row in enumerate(csv.DictReader(lines[comments:]), start=comments + 2)
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
