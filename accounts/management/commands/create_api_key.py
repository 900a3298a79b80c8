"""`manage.py create_api_key EMAIL --name NAME [--expires-in-days N]`: issue an API key.

For operators setting up an integration without a browser. The explanation goes to stderr and
the key alone to stdout, so that `KEY=$(manage.py create_api_key …)` captures just the key.
"""

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from accounts.services import create_api_key


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ArgumentTypeError("must be a whole number of days") from exc
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


class Command(BaseCommand):
    help = (
        "Create an API key for the user with this e-mail address and print it. The key is shown "
        "only once: store it where the program that uses it can read it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email", help="E-mail address of the user the key acts for.")
        parser.add_argument("--name", required=True, help="What the key is for.")
        parser.add_argument(
            "--expires-in-days",
            type=_positive,
            default=None,
            help="Make the key stop working after this many days (default: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email}.")
        days = options["expires_in_days"]
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            key, raw = create_api_key(user=user, name=options["name"], expires_at=expires_at)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        expiry = f"expires {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else "no expiry"
        self.stderr.write(
            f"Created API key “{key.name}” (prefix {key.prefix}, {expiry}) for {user.email}. "
            "Copy it now; it will not be shown again:",
            style_func=str,  # an explanation, not an error: no red
        )
        self.stdout.write(raw)
