"""`manage.py compile_translations`: build the `.mo` files Django reads from the `.po` catalogs
under `LOCALE_PATHS`, in Python (Babel), so that no GNU gettext is needed on the machine.
`make run`, `make test` and the Docker image run it; the `.mo` files are not committed."""

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


def compile_catalogs(locale_paths: list[Path]) -> list[Path]:
    """Compile every catalog under `locale_paths` whose `.mo` is missing or older than its
    `.po`; the `.mo` files written. Fuzzy entries are left out, as msgfmt does."""
    written = []
    for root in locale_paths:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            written.append(mo_path)
    return written


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po → .mo) under LOCALE_PATHS."

    def handle(self, *args: Any, **options: Any) -> None:
        written = compile_catalogs([Path(p) for p in settings.LOCALE_PATHS])
        for path in written:
            self.stdout.write(f"compiled {path.relative_to(settings.BASE_DIR)}")
        if not written:
            self.stdout.write("translations are up to date")
