"""The `updates` kind: progress reports on imported pledges, with achieved values and amounts
disbursed. A row names its pledge by the pledge's external id and is keyed by (pledge, report
date): the same report imported twice is one update. Imported reports were accepted in the
source system, so they are approved at once, which moves the pledge's status and figures as an
approval does (without e-mailing anybody about history)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change
from pledges.models import Pledge, PledgeUpdate, PledgeUpdateActual, UpdateReviewState
from pledges.progress_marks import progress_changed
from pledges.services import UpdateInput, refresh_implementation_status, validate_update
from pledges.services.feed import feed_updates

from . import values
from .pledges import PledgeRows, Problem, RowError, RowOutcome
from .readers import Cell


class UpdateRows(PledgeRows):
    """Resolves and applies the rows of one file of progress updates."""

    def prepare(self, rows: Sequence[Mapping[str, Cell]]) -> None:
        """Rows of this kind do not name pledges by their external id alone."""

    def outcome(self, number: int, cells: Mapping[str, Cell]) -> RowOutcome:
        result = RowOutcome(number=number)
        problems: list[Problem] = []
        try:
            with transaction.atomic():
                self._apply_update_row(result, cells, problems)
        except RowError as error:
            result.action = "error"
            result.problems = error.problems
        return result

    def _pledge_of(self, cells: Mapping[str, Cell], problems: list[Problem]) -> Pledge:
        external_id = values.text(self._cell(cells, "pledge"))
        if not external_id:
            self._problem(problems, "pledge", None, _("Give the pledge's id in the source system."))
            raise RowError(problems)
        pledges = Pledge.objects.filter(external_id=external_id)
        compact = self._parse(
            problems, cells, "compact", lambda c: self._compact(c, None) if c else None
        )
        if compact is not None:
            pledges = pledges.filter(compact=compact)
        found = list(pledges.select_related("entity")[:2])
        if len(found) != 1:
            message = (
                _("No imported pledge has the id “%(value)s”: import the pledges first.")
                if not found
                else _("Two compacts have a pledge with the id “%(value)s”: add a Compact column.")
            )
            self._problem(problems, "pledge", external_id, message % {"value": external_id})
            raise RowError(problems)
        return found[0]

    def _actuals(self, cell: Cell, pledge: Pledge) -> dict[int, Decimal]:
        """ "500" for a pledge with one target; "places=500; persons=1,200" (metric=value) for
        several."""
        raw = values.text(cell)
        if not raw:
            return {}
        targets = list(pledge.targets.all())
        if "=" not in raw:
            if len(targets) != 1:
                raise values.BadValue(
                    _("This pledge has no target or several: write metric=value for each.")
                )
            value = values.amount(raw)
            return {targets[0].pk: value} if value is not None else {}
        by_metric = {" ".join(t.metric.casefold().split()): t for t in targets}
        found: dict[int, Decimal] = {}
        for item in values.items(raw):
            metric, _sep, number = item.partition("=")
            target = by_metric.get(" ".join(metric.casefold().split()))
            if target is None:
                raise values.BadValue(
                    _("The pledge has no target “%(metric)s”; its targets are: %(metrics)s.")
                    % {"metric": metric.strip(), "metrics": ", ".join(t.metric for t in targets)}
                )
            value = values.amount(number.strip())
            if value is not None:
                found[target.pk] = value
        return found

    def _apply_update_row(
        self, result: RowOutcome, cells: Mapping[str, Cell], problems: list[Problem]
    ) -> None:
        pledge = self._pledge_of(cells, problems)
        result.external_id = pledge.external_id
        result.reference = pledge.reference
        reported_on = self._parse(problems, cells, "reported_on", values.date)
        if reported_on is None and not problems:
            self._problem(problems, "reported_on", None, _("Give the date of the report."))
        status = self._parse(problems, cells, "status", self._status)
        disbursed = self._parse(problems, cells, "disbursed", values.amount)
        actuals = self._parse(problems, cells, "achieved", lambda c: self._actuals(c, pledge))
        if problems:
            raise RowError(problems)
        data = UpdateInput(
            status=status or "",
            narrative=values.text(self._cell(cells, "narrative")),
            challenges=values.text(self._cell(cells, "challenges")),
            reported_on=reported_on,
            disbursed_amount=disbursed,
            actuals=actuals or {},
        )
        try:
            validate_update(pledge, data)
        except ValidationError as error:
            self._validation_problems(problems, error)
            raise RowError(problems) from None
        existing = (
            PledgeUpdate.objects.filter(pledge=pledge, reported_on=reported_on)
            .exclude(review_state=UpdateReviewState.RETURNED)
            .first()
        )
        if existing is None:
            self._create(pledge, data)
            result.action = "create"
            return
        result.changes = self._update_changes(existing, data)
        result.action = "update" if result.changes else "unchanged"
        if result.changes:
            self._change(existing, data, result.changes)

    def _update_changes(self, update: PledgeUpdate, data: UpdateInput) -> list[str]:
        changed: list[str] = [
            name
            for name in ("status", "narrative", "challenges", "disbursed_amount")
            if name in self._mapped_update_fields() and getattr(update, name) != getattr(data, name)
        ]
        current = {a.target_id: a.value for a in update.actuals.all()}
        if "achieved" in self.columns and current != dict(data.actuals):
            changed.append("actuals")
        return changed

    def _mapped_update_fields(self) -> set[str]:
        names = {"status": "status", "narrative": "narrative", "challenges": "challenges"}
        mapped = {names[k] for k in names if k in self.columns}
        if "disbursed" in self.columns:
            mapped.add("disbursed_amount")
        return mapped

    def _create(self, pledge: Pledge, data: UpdateInput) -> None:
        by = self.options.by
        now = timezone.now()
        update = PledgeUpdate.objects.create(
            pledge=pledge,
            entity_id=pledge.entity_id,
            status=data.status,
            narrative=data.narrative,
            challenges=data.challenges,
            disbursed_amount=data.disbursed_amount,
            reported_on=data.reported_on,
            submitted_by=by,
            review_state=UpdateReviewState.APPROVED,
            reviewed_by=by,
            reviewed_at=now,
        )
        PledgeUpdateActual.objects.bulk_create(
            PledgeUpdateActual(update=update, target_id=target_id, value=value)
            for target_id, value in data.actuals.items()
        )
        record_change(
            update,
            action="imports.update.created",
            by=by,
            reason=self.options.reason,
            data={"pledge": pledge.reference, "status": data.status},
        )
        feed_updates([update.pk])
        self._counted(pledge)

    def _change(self, update: PledgeUpdate, data: UpdateInput, changes: list[str]) -> None:
        for name in changes:
            if name != "actuals":
                setattr(update, name, getattr(data, name))
        update.save()
        if "actuals" in changes:
            update.actuals.all().delete()
            PledgeUpdateActual.objects.bulk_create(
                PledgeUpdateActual(update=update, target_id=target_id, value=value)
                for target_id, value in data.actuals.items()
            )
        record_change(
            update,
            action="imports.update.changed",
            by=self.options.by,
            reason=self.options.reason,
            data={"fields": changes},
        )
        feed_updates([update.pk])
        self._counted(update.pledge)

    def _counted(self, pledge: Pledge) -> None:
        """As an approval: the pledge's status follows its latest approved report, and its
        objectives' figures are recomputed."""
        refresh_implementation_status(pledge.pk)
        progress_changed(
            [pledge.pk],
            Pledge.objectives.through.objects.filter(pledge_id=pledge.pk).values_list(
                "objective_id", flat=True
            ),
        )
