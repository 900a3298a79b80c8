"""The `entities` kind: one row, one entity, matched by the look-alike skeleton of its name (so
"Gouvernement  du Kenya" and "gouvernement du kenya" are the same row's entity), created when
unknown (verified or not, as chosen for the file), else updated field by field."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_change
from pledges.models import Entity
from pledges.names import name_skeleton
from pledges.services.feed import feed_entities

from . import values
from .pledges import Options, PledgeRows, Problem, RowError, RowOutcome
from .readers import Cell

# The entity's own fields an import may set, beside its name.
UPDATABLE = ("acronym", "entity_type", "country", "website", "description")


class EntityRows(PledgeRows):
    """Resolves and applies the rows of one entities file (the pledges kind's look-ups and
    entity matching, reused)."""

    def prepare(self, rows: Sequence[Mapping[str, Cell]]) -> None:
        """Rows of this kind do not name pledges by their external id alone."""

    def __init__(self, mapping: Mapping[str, str], options: Options) -> None:
        super().__init__(mapping, options)
        self.seen_names: dict[str, int] = {}

    def outcome(self, number: int, cells: Mapping[str, Cell]) -> RowOutcome:
        result = RowOutcome(number=number)
        problems: list[Problem] = []
        try:
            with transaction.atomic():
                self._apply_entity_row(result, cells, problems)
        except RowError as error:
            result.action = "error"
            result.problems = error.problems
        return result

    def _apply_entity_row(
        self, result: RowOutcome, cells: Mapping[str, Cell], problems: list[Problem]
    ) -> None:
        name = values.text(self._cell(cells, "name"))
        result.external_id = name
        if not name_skeleton(name):
            self._problem(problems, "name", None, _("Enter the entity's name."))
            raise RowError(problems)
        skeleton = name_skeleton(name)
        if skeleton in self.seen_names:
            self._problem(
                problems,
                "name",
                name,
                _("This entity is also on row %(row)s of the file.")
                % {"row": self.seen_names[skeleton]},
            )
            raise RowError(problems)
        self.seen_names[skeleton] = result.number
        readers: tuple[tuple[str, Callable[[Cell], Any]], ...] = (
            ("acronym", lambda c: values.text(c)[:30]),
            ("entity_type", self._entity_type),
            ("country", lambda c: self._country(values.text(c)) if values.text(c) else None),
            ("website", values.text),
            ("description", lambda c: "" if c is None else str(c).strip()),
        )
        wanted = {
            key: self._parse(problems, cells, key, parse)
            for key, parse in readers
            if key in self.columns
        }
        if problems:
            raise RowError(problems)
        candidates = list(Entity.objects.looking_like(name))
        if len(candidates) > 1:
            listed = "; ".join(c.name for c in candidates)
            self._problem(
                problems,
                "name",
                name,
                _("“%(value)s” could be several entities: %(candidates)s. Write the full name.")
                % {"value": name, "candidates": listed},
            )
            raise RowError(problems)
        try:
            if not candidates:
                entity = self._create_entity(
                    " ".join(name.split()), wanted.get("country"), wanted.get("entity_type")
                )
                self._set(entity, wanted)
                result.action = "create"
            else:
                entity = candidates[0]
                result.changes = [
                    key
                    for key, value in wanted.items()
                    if value not in (None, "") and getattr(entity, key) != value
                ]
                result.action = "update" if result.changes else "unchanged"
                if result.changes:
                    self._set(entity, {key: wanted[key] for key in result.changes})
                    record_change(
                        entity,
                        action="imports.entity.updated",
                        by=self.options.by,
                        reason=self.options.reason,
                        data={"fields": result.changes},
                    )
        except values.BadValue as error:
            self._problem(problems, "name", name, str(error))
            raise RowError(problems) from None
        except ValidationError as error:
            for message in error.messages:
                self._problem(problems, "name", name, message)
            raise RowError(problems) from None
        result.reference = entity.name

    def _set(self, entity: Entity, wanted: Mapping[str, Any]) -> None:
        for key, value in wanted.items():
            if key in UPDATABLE and value not in (None, ""):
                setattr(entity, key, value)
        entity.full_clean(exclude=["name_skeleton", "cased_name_skeleton"], validate_unique=False)
        entity.save()
        feed_entities([entity.pk])
