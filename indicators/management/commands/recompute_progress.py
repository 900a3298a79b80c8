"""`manage.py recompute_progress [--compact GCR] [--objective N]`: recompute progress now.

Runs in this process, without a broker or a worker: the same run as the nightly
`indicators.recompute_all_progress` task, recorded on the Jobs page like it. Objectives that a
worker is recomputing at this very moment are skipped (and reported): the worker finishes them.
"""

from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from compacts.models import Compact, Objective
from indicators import delta, msp_progress, runner

BAR_WIDTH = 30


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ArgumentTypeError("must be a whole number") from exc
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


class Command(BaseCommand):
    help = (
        "Recompute the progress snapshots of every objective and the compact totals now (or of "
        "one compact, or one objective of a compact), in this process."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--compact", metavar="CODE", help="Only this compact's objectives, e.g. GCR or GCM."
        )
        parser.add_argument(
            "--objective",
            metavar="N",
            type=_positive,
            help="Only the objective with this number within --compact (e.g. --objective 2).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code, number = options["compact"], options["objective"]
        objective_ids = self._objective_ids(code, number)
        verbosity = options["verbosity"]
        # A bar only where someone watches a terminal; logs get one line per objective.
        use_bar = verbosity == 1 and self.stdout.isatty()

        def report(step: runner.ObjectiveStep) -> None:
            if use_bar:
                filled = BAR_WIDTH * step.index // step.total
                bar = "#" * filled + "." * (BAR_WIDTH - filled)
                self.stdout.write(f"\r[{bar}] {step.index}/{step.total} objectives", ending="")
                self.stdout.flush()
            elif verbosity >= 1:
                what = (
                    "skipped: a worker is recomputing it now"
                    if step.skipped
                    else f"{step.snapshots} snapshot rows"
                )
                self.stdout.write(f"{step.index}/{step.total} {step.label}: {what}")

        try:
            outcome = runner.recompute_all(
                compact_code=code.upper() if code else None,
                objective_ids=objective_ids,
                triggered_by="manage.py recompute_progress",
                progress=report,
            )
        except runner.TRANSIENT_ERRORS as error:
            raise CommandError(
                f"The database or Redis could not be reached ({error}). Nothing was lost: "
                "run the command again once it is back."
            ) from error
        except runner.UnknownTargetError as error:
            raise CommandError(str(error)) from error
        finally:
            if use_bar:
                self.stdout.write("")  # end the bar's line
        if objective_ids is None and not code:
            msps = msp_progress.recompute_all_msps()
            if verbosity > 1:
                self.stdout.write(f"{msps} multistakeholder pledges recomputed")
        # The combined dashboard filters' sums, from the facts a run over everything stored.
        built = delta.build_filter_sums()
        if built is not None and verbosity > 1:
            self.stdout.write(f"combined filter sums built for {built}")
        self._summarise(outcome, verbosity)

    def _objective_ids(self, code: str | None, number: int | None) -> list[int] | None:
        """Check the arguments before anything runs; None means every objective in scope."""
        if number is not None and not code:
            raise CommandError(
                "--objective needs --compact: objective numbers restart per compact."
            )
        if not code:
            return None
        compact = Compact.objects.filter(code=code.upper()).first()
        if compact is None:
            known = ", ".join(Compact.objects.values_list("code", flat=True)) or "none loaded"
            raise CommandError(f"No compact with code {code}. Known compacts: {known}.")
        if number is None:
            return None
        objective = Objective.objects.filter(compact=compact, number=number).first()
        if objective is None:
            count = compact.objectives.count()
            raise CommandError(
                f"{compact.code} has no objective {number}; its objectives are 1–{count}."
            )
        return [objective.pk]

    def _summarise(self, outcome: runner.RunOutcome, verbosity: int) -> None:
        if verbosity < 1:
            return
        done, skipped = len(outcome.objectives_done), len(outcome.objectives_skipped)
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {_count(done, 'objective')} and "
                f"{_count(len(outcome.compacts_done), 'compact total')}: "
                f"{_count(outcome.snapshots_written, 'snapshot row')} written "
                f"in {outcome.duration_ms / 1000:.1f} s."
            )
        )
        if skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"Skipped {_count(skipped, 'objective')} that a worker was recomputing at "
                    "the same moment; the worker's run covers them."
                )
            )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
