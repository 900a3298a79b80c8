"""`manage.py seed_demo`: fill the database with realistic, reproducible demo data.

The generator lives in `bootstrap.demo`; this command only checks that it is safe to run, passes
the options on and reports what was created.
"""

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bootstrap.demo import (
    DEFAULT_PLEDGES,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    SECRETARIAT_EMAIL,
    STAKEHOLDER_EMAIL,
    ReferenceDataMissingError,
    demo_data_exists,
    seed_demo,
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError("use YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = (
        "Create deterministic demo data: entities, pledges across both compacts and every past "
        "forum, co-pledgers, links, targets, progress updates, exchange rates, indicator values "
        "and two demo accounts. Needs the reference data (manage.py load_reference_data)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--pledges",
            type=_positive,
            default=DEFAULT_PLEDGES,
            help=f"Number of pledges to create (default {DEFAULT_PLEDGES}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed; the same seed gives the same data (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the data includes accounts with a known password).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any pledge exists (used by `make run` on every start).",
        )
        parser.add_argument(
            "--as-of",
            type=_day,
            default=None,
            help="Treat this day (YYYY-MM-DD) as today, to reproduce a data set exactly "
            "(default: today). Only forums before it get pledges, and no date lies after it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and demo_data_exists():
            self.stdout.write("Pledges already exist: demo data not seeded (--if-empty).")
            return
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this may be a production database. seed_demo writes "
                "thousands of invented pledges and two accounts with a published password. "
                "Re-run with --force if this really is a demo or test database."
            )
        as_of = options["as_of"] or timezone.localdate()
        self.stdout.write(
            f"Seeding {options['pledges']} demo pledges (seed {options['seed']}, as of {as_of})…"
        )
        try:
            summary = seed_demo(
                pledges=options["pledges"],
                seed=options["seed"],
                as_of=as_of,
                log=self.stdout.write,
            )
        except ReferenceDataMissingError as exc:
            raise CommandError(str(exc)) from exc

        self.stdout.write(
            self.style.SUCCESS(f"Demo data created in {summary.seconds:.1f} s:")
            + f"\n  {summary.entities} entities (new and reused)"
            + f"\n  {summary.pledges} pledges, {summary.participants} co-pledging participants, "
            f"{summary.links} links, {summary.msp_memberships} multistakeholder memberships"
            + f"\n  {summary.support_positions} needs and offers, {summary.matches} matches"
            + f"\n  {summary.targets} targets, {summary.updates} progress updates, "
            f"{summary.actuals} actual values" + f"\n  {summary.exchange_rates} exchange rates, "
            f"{summary.indicator_values} indicator values"
            + f"\n  {summary.goal_contributions} targets counted towards collective goals"
            + f"\n  {summary.attachments} demo files attached"
            + f"\n  {summary.resources} demo library resources (marked demo)"
        )
        self.stdout.write(
            f"Demo accounts (password {DEMO_PASSWORD}):"
            f"\n  {SECRETARIAT_EMAIL}  secretariat reviewer (staff, group Secretariat)"
            f"\n  {STAKEHOLDER_EMAIL}  editor for {summary.stakeholder_entity}"
        )
