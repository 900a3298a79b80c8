"""The `indicator_values` kind: values of the official indicators as a report edition published
them (a table from the GCR indicator report, a country's figures), keyed like the values
themselves by (indicator, country or global, year, report edition): importing a table twice is
one set of values, and a corrected table changes only the values that differ. Each value is
saved through `save_indicator_value`, so the objective it measures is recomputed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compacts.models import Compact
from core.audit import record_change
from core.models import Country
from indicators.models import Indicator, IndicatorValue, ReportEdition
from indicators.services import save_indicator_value

from . import values
from .pledges import Options, PledgeRows, Problem, RowError, RowOutcome, _key
from .readers import Cell

# The value's own fields an import sets, beside its key.
FIGURES = ("value", "numerator", "denominator", "source")


class IndicatorValueRows(PledgeRows):
    """Resolves and applies the rows of one file of indicator values."""

    def __init__(self, mapping: Mapping[str, str], options: Options) -> None:
        super().__init__(mapping, options)
        self.reports = list(ReportEdition.objects.select_related("framework__compact"))
        self.indicators = list(Indicator.objects.select_related("compact", "edition"))
        self.seen_keys: dict[tuple[int, str | None, int, int | None], int] = {}

    def prepare(self, rows: Sequence[Mapping[str, Cell]]) -> None:
        """Values are few and keyed by four columns: each row reads its own."""

    def outcome(self, number: int, cells: Mapping[str, Cell]) -> RowOutcome:
        result = RowOutcome(number=number)
        problems: list[Problem] = []
        try:
            with transaction.atomic():
                self._apply_value_row(result, cells, problems)
        except RowError as error:
            result.action = "error"
            result.problems = error.problems
        return result

    # --- cells to records ------------------------------------------------------------------

    def _report(self, cell: Cell, compact: Compact | None) -> ReportEdition | None:
        """A report edition by its year ("2023") or title, of the row's compact when known."""
        raw = values.text(cell)
        if not raw:
            return None
        found = [
            r
            for r in self.reports
            if (compact is None or r.framework.compact_id == compact.pk)
            and (raw == str(r.year) or _key(raw) == _key(r.title))
        ]
        if len(found) == 1:
            return found[0]
        known = "; ".join(sorted(r.title for r in self.reports))
        if found:
            raise values.BadValue(
                _("“%(value)s” is a report edition of both compacts: add a Compact column.")
                % {"value": raw}
            )
        raise values.BadValue(
            _("No indicator report “%(value)s”; the reports are: %(names)s.")
            % {"value": raw, "names": known}
        )

    def _indicator(
        self, cell: Cell, compact: Compact | None, report: ReportEdition | None
    ) -> Indicator:
        """An indicator by its code: of the report's framework edition when the row names a
        report, else of the edition whose indicators count for progress."""
        code = values.text(cell).removeprefix("GCR ").removeprefix("GCM ").strip()
        if not code:
            raise values.BadValue(_("Give the indicator's code, e.g. 2.1.1."))
        found = [
            i
            for i in self.indicators
            if i.code == code
            and (compact is None or i.compact_id == compact.pk)
            and (report is None or i.edition_id == report.framework_id)
        ]
        if len(found) > 1:
            counted = set(
                Indicator.objects.counting()
                .filter(pk__in=[i.pk for i in found])
                .values_list("pk", flat=True)
            )
            found = [i for i in found if i.pk in counted] or found
        if len(found) == 1:
            return found[0]
        if found:
            raise values.BadValue(
                _("Several framework editions have an indicator %(code)s: add a Report column.")
                % {"code": code}
            )
        raise values.BadValue(
            _("No indicator %(code)s in the framework edition of this report or compact.")
            % {"code": code}
        )

    def _year(self, cell: Cell) -> int | None:
        raw = values.text(cell)
        if not raw:
            return None
        number = values.amount(cell)
        if number is None or number != number.to_integral_value():
            raise values.BadValue(_("“%(value)s” is not a year.") % {"value": raw})
        return int(number)

    # --- a row -----------------------------------------------------------------------------

    def _apply_value_row(
        self, result: RowOutcome, cells: Mapping[str, Cell], problems: list[Problem]
    ) -> None:
        compact = self._parse(
            problems, cells, "compact", lambda c: self._compact(c, None) if c else None
        )
        report = self._parse(problems, cells, "report", lambda c: self._report(c, compact))
        indicator = self._parse(
            problems, cells, "indicator", lambda c: self._indicator(c, compact, report)
        )
        country = self._parse(
            problems, cells, "country", lambda c: self._country(values.text(c)) if c else None
        )
        year = self._parse(problems, cells, "year", self._year)
        figures: dict[str, Any] = {
            name: self._parse(problems, cells, name, values.amount)
            for name in ("value", "numerator", "denominator")
        }
        figures["source"] = values.text(self._cell(cells, "source")) or (
            report.title if report is not None else ""
        )
        if year is None and "year" not in {p.column for p in problems}:
            self._problem(problems, "year", None, _("Give the year the value is for."))
        if figures["value"] is None and "value" not in {p.column for p in problems}:
            self._problem(problems, "value", None, _("Give the value."))
        if problems or indicator is None:
            raise RowError(problems)
        result.external_id = f"{indicator.code} {country.code if country else 'global'} {year}"
        result.reference = report.title if report is not None else ""
        self._check_key(result, indicator, country, year, report, problems)
        existing = IndicatorValue.objects.filter(
            indicator=indicator, country=country, year=year, report=report
        ).first()
        if existing is None:
            value = IndicatorValue(
                indicator=indicator, country=country, year=year, report=report, **figures
            )
            self._save_value(result, value, "create", [], problems)
            return
        changes = [name for name in FIGURES if _differs(getattr(existing, name), figures[name])]
        if not changes:
            result.action = "unchanged"
            return
        for name in changes:
            setattr(existing, name, figures[name])
        self._save_value(result, existing, "update", changes, problems)

    def _check_key(
        self,
        result: RowOutcome,
        indicator: Indicator,
        country: Country | None,
        year: int,
        report: ReportEdition | None,
        problems: list[Problem],
    ) -> None:
        key = (indicator.pk, country.pk if country else None, year, report.pk if report else None)
        previous = self.seen_keys.get(key)
        if previous is not None:
            self._problem(
                problems,
                "indicator",
                indicator.code,
                _("This value (indicator, country, year, report) is also on row %(row)s.")
                % {"row": previous},
            )
            raise RowError(problems)
        self.seen_keys[key] = result.number

    def _save_value(
        self,
        result: RowOutcome,
        value: IndicatorValue,
        action: str,
        changes: list[str],
        problems: list[Problem],
    ) -> None:
        try:
            save_indicator_value(value=value)
        except ValidationError as error:
            self._validation_problems(problems, error)
            raise RowError(problems) from None
        result.action = action
        result.changes = changes
        record_change(
            value,
            action=f"imports.indicator_value.{'created' if action == 'create' else 'changed'}",
            by=self.options.by,
            reason=self.options.reason,
            data={"fields": changes} if changes else {"value": str(value.value)},
        )


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old.compare(new) != 0
    return bool(old != new)
