"""The `resources` kind: one row, one library resource, in the shape of the Migration Network
Hub's listings (title, URL, type, date, objectives …), keyed by its URL.

A row whose URL is already in the library updates that resource field by field; a new one is
created through `resources.services` (audited like any other change) and published unless the
import leaves new rows as drafts. Objectives are the GCM's unless written "GCR 2"; the hub's
long labels ("Objective 23: Strengthen international cooperation …") are read by their number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from compacts.models import GuidingPrinciple, Objective
from core.models import Region
from pledges.models import Pledge
from resources.models import Resource, ResourceLanguage, ResourceType
from resources.services import (
    ResourceInput,
    create_resource,
    transition_resource,
    update_resource,
)

from . import values
from .pledges import OBJECTIVE_TOKEN, Options, PledgeRows, Problem, RowError, RowOutcome, _key
from .readers import Cell

DEFAULT_COMPACT = "GCM"
# The hub's own type names, beside our labels in every language.
TYPE_SYNONYMS = {
    "good practice": ResourceType.PRACTICE,
    "promising practice": ResourceType.PRACTICE,
    "repository of practices": ResourceType.PRACTICE,
    "practices": ResourceType.PRACTICE,
    "publications": ResourceType.PUBLICATION,
    "report": ResourceType.PUBLICATION,
    "guide": ResourceType.TOOL,
    "toolkit": ResourceType.TOOL,
    "tools": ResourceType.TOOL,
    "events": ResourceType.EVENT,
    "webinar": ResourceType.EVENT,
    "article": ResourceType.NEWS,
    "blog": ResourceType.NEWS,
}
ONLY_NUMBERS = re.compile(r"^[\sA-Za-z]{0,4}[\d\s,]+$")


def _labels(choices: Any) -> dict[str, str]:
    """{normalised value or label in any language: value} of a TextChoices."""
    from django.conf import settings

    found: dict[str, str] = {}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                found.setdefault(_key(str(label)), value)
    for value, _label in choices:
        found[_key(value)] = value
    return found


class ResourceRows(PledgeRows):
    """Resolves and applies the rows of one resources file (the pledge kind's look-ups of
    countries reused)."""

    def __init__(self, mapping: Mapping[str, str], options: Options) -> None:
        super().__init__(mapping, options)
        self.seen_urls: dict[str, int] = {}
        self.types = _labels(ResourceType.choices) | {_key(k): v for k, v in TYPE_SYNONYMS.items()}
        self.languages = _labels(ResourceLanguage.choices) | {"zh": "zh-hans", "chinese": "zh-hans"}
        self.regions = _labels(Region.choices)
        self.principles: dict[str, GuidingPrinciple] = {}
        for principle in GuidingPrinciple.objects.select_related("compact"):
            for name in ("name", "name_en", "name_fr", "name_es"):
                value = getattr(principle, name, None)
                if value:
                    self.principles.setdefault(_key(value), principle)
            self.principles.setdefault(f"{principle.compact.code} {principle.number}", principle)

    def outcome(self, number: int, cells: Mapping[str, Cell]) -> RowOutcome:
        result = RowOutcome(number=number)
        problems: list[Problem] = []
        try:
            with transaction.atomic():
                self._apply_resource_row(result, cells, problems)
        except RowError as error:
            result.action = "error"
            result.problems = error.problems
        return result

    def _apply_resource_row(
        self, result: RowOutcome, cells: Mapping[str, Cell], problems: list[Problem]
    ) -> None:
        url = values.text(self._cell(cells, "url"))
        result.external_id = url
        if not url:
            self._problem(problems, "url", None, _("Give the resource's address (URL)."))
            raise RowError(problems)
        if url in self.seen_urls:
            self._problem(
                problems,
                "url",
                url,
                _("This address is also on row %(row)s of the file.")
                % {"row": self.seen_urls[url]},
            )
            raise RowError(problems)
        self.seen_urls[url] = result.number
        existing = Resource.objects.filter(url=url).order_by("pk").first()
        data = ResourceInput.from_resource(existing) if existing else ResourceInput(title="")
        data.url = url
        self._read(data, cells, problems)
        if problems:
            raise RowError(problems)
        by: Any = self.options.by
        try:
            if existing is None:
                resource = create_resource(data=data, by=by, reason=self.options.reason)
                if self.options.publish:
                    transition_resource(resource=resource, action="publish", by=by)
                result.action = "create"
            else:
                changed = update_resource(
                    resource=existing, data=data, by=by, reason=self.options.reason
                )
                result.changes = changed
                result.action = "update" if changed else "unchanged"
                resource = existing
        except ValidationError as error:
            for field, messages in getattr(
                error, "message_dict", {"title": error.messages}
            ).items():
                key = field if field in self.columns else "title"
                for message in messages:
                    self._problem(problems, key, self._cell(cells, key), message)
            raise RowError(problems) from None
        except PermissionDenied as error:
            self._problem(problems, "url", url, str(error))
            raise RowError(problems) from None
        result.reference = resource.title[:80]

    def _read(
        self, data: ResourceInput, cells: Mapping[str, Cell], problems: list[Problem]
    ) -> None:
        """Set `data` from the mapped columns; a blank cell leaves the value as it is."""
        readers: tuple[tuple[str, str, Any], ...] = (
            ("resource_type", "resource_type", self._type),
            ("date", "date", values.date),
            ("languages", "languages", self._languages),
            ("objectives", "objectives", self._resource_objectives),
            ("principles", "principles", self._principles),
            ("region", "region", self._region),
            ("countries", "countries", self._countries),
            ("pledges", "pledges", self._pledges),
        )
        for key, attribute, parse in readers:
            if key in self.columns:
                parsed = self._parse(problems, cells, key, parse)
                if parsed is not None:
                    setattr(data, attribute, parsed)
        for key in ("title", "publisher"):
            if key in self.columns:
                setattr(data, key, values.text(self._cell(cells, key)))
        if "summary" in self.columns:
            cell = self._cell(cells, "summary")
            data.summary = "" if cell is None else str(cell).strip()

    # --- cell readers ----------------------------------------------------------------------

    def _type(self, cell: Cell) -> str | None:
        raw = values.text(cell)
        if not raw:
            return None
        found = self.types.get(_key(raw)) or self.types.get(_key(raw).rstrip("s"))
        if found is None:
            raise values.BadValue(
                _("“%(value)s” is not a type of resource: write one of %(types)s.")
                % {
                    "value": raw,
                    "types": ", ".join(str(label) for _v, label in ResourceType.choices),
                }
            )
        return found

    def _languages(self, cell: Cell) -> list[str] | None:
        found: list[str] = []
        for item in values.items(cell, commas=True):
            code = self.languages.get(_key(item)) or self.languages.get(
                _key(item).replace(" ", "-")
            )
            if code is None:
                raise values.BadValue(_("Unknown language “%(value)s”.") % {"value": item})
            found.append(code)
        return found or None

    def _resource_objectives(self, cell: Cell) -> list[Objective] | None:
        found: list[Objective] = []
        for part in values.items(cell):
            # "2, 5, 23" lists numbers; "Objective 23: …, orderly …" is one label with commas.
            items = part.split(",") if ONLY_NUMBERS.match(part) else [part]
            for item in (i.strip() for i in items if i.strip()):
                match = OBJECTIVE_TOKEN.match(item)
                if match is None:
                    raise values.BadValue(
                        _("“%(value)s” is not an objective: write e.g. “23” or “GCR 2”.")
                        % {"value": item}
                    )
                code = (match.group(1) or DEFAULT_COMPACT).upper()
                objective = self.lookups.objectives.get((code, int(match.group(2))))
                if objective is None:
                    raise values.BadValue(
                        _("The %(compact)s has no objective %(number)s.")
                        % {"compact": code, "number": match.group(2)}
                    )
                found.append(objective)
        return found or None

    def _principles(self, cell: Cell) -> list[GuidingPrinciple] | None:
        found: list[GuidingPrinciple] = []
        for item in values.items(cell):
            key = _key(item)
            principle = self.principles.get(key) or self.principles.get(
                f"{DEFAULT_COMPACT} {key}" if key.isdigit() else ""
            )
            if principle is None:
                raise values.BadValue(_("Unknown guiding principle “%(value)s”.") % {"value": item})
            found.append(principle)
        return found or None

    def _region(self, cell: Cell) -> str | None:
        raw = values.text(cell)
        if not raw:
            return None
        region = self.regions.get(_key(raw))
        if region is None:
            raise values.BadValue(
                _("“%(value)s” is not a region: write Africa, Americas, Asia, Europe or Oceania.")
                % {"value": raw}
            )
        return region

    def _pledges(self, cell: Cell) -> list[Pledge] | None:
        references = [r.upper() for r in values.items(cell, commas=True)]
        if not references:
            return None
        found = {
            p.reference: p for p in Pledge.objects.published().filter(reference__in=references)
        }
        unknown = [r for r in references if r not in found]
        if unknown:
            raise values.BadValue(
                _("No published pledge has the reference %(references)s.")
                % {"references": ", ".join(unknown)}
            )
        return [found[r] for r in references]
