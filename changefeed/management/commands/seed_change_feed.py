"""`manage.py seed_change_feed`: a `created` entry for every public row the feed lacks (after a
bulk load that bypassed the services, such as the demo loader)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from changefeed.seed import seed


class Command(BaseCommand):
    help = "Add change-feed entries for public rows that have none."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            added = seed(cursor)
        self.stdout.write(f"{added} entries added.")
