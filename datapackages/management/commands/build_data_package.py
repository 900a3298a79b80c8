"""`manage.py build_data_package`: write the public data package now (as the nightly job does)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from datapackages.services import build_data_package


class Command(BaseCommand):
    help = "Write the public dataset as a Frictionless Data Package to the default storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep", type=int, default=None, help="Packages to keep (default DATA_PACKAGE_KEEP)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        package = build_data_package(keep=options["keep"])
        for name, rows in package.rows.items():
            self.stdout.write(f"{name}: {rows} rows")
        self.stdout.write(
            self.style.SUCCESS(
                f"{package.folder}: {package.total_bytes:,} bytes in {package.seconds:.1f} s"
            )
        )
