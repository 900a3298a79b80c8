"""`manage.py load_reference_data`: create the shipped reference data; safe to re-run."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bootstrap.reference import ReferenceDataError, load_reference_data


class Command(BaseCommand):
    """Load countries, currencies, compacts, objectives, forums and the other reference tables.

    Existing rows are left as the secretariat edited them unless `--update` is given; nothing is
    ever deleted. Runs in one transaction.
    """

    # Plain strings, like Django's own commands: argparse cannot format lazy translations.
    help = (
        "Create the reference data the app ships with (compacts, objectives, forums, countries…). "
        "Safe to re-run: existing rows are kept as edited unless --update is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite the shipped fields of existing rows with the shipped values.",
        )

    def handle(self, *args: Any, update: bool, verbosity: int, **options: Any) -> None:
        try:
            summaries = load_reference_data(update=update)
        except ReferenceDataError as error:
            raise CommandError(
                "Nothing was loaded: fix these rows of bootstrap/data/ first.\n  "
                + "\n  ".join(error.problems)
            ) from error
        if verbosity >= 1:
            for summary in summaries:
                self.stdout.write(summary.describe())
