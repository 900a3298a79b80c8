"""`manage.py import_data KIND FILE [--mapping NAME] [--dry-run]`: the Import page without a
browser. Prints the same summary and row report; writes nothing unless every row is valid."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.fields import auto_mapping
from imports.models import ImportKind, SavedMapping
from imports.services import ImportRefused, open_table, run_import


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of pledges: a dry run first, then all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", help="Name of a saved column mapping.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument("--sheet", default="", help="XLSX: the sheet to read (default: first).")
        parser.add_argument("--header-row", type=int, help="The row that names the columns.")
        parser.add_argument(
            "--verified", action="store_true", help="Mark the entities it creates as verified."
        )
        parser.add_argument(
            "--draft", action="store_true", help="Leave new pledges as drafts (do not publish)."
        )
        parser.add_argument(
            "--user", help="E-mail of the secretariat account the changes are recorded under."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        content = path.read_bytes()
        kind = options["kind"]
        by = self._user(options["user"])
        try:
            saved = self._saved(kind, options["mapping"])
            table = open_table(
                content,
                kind=kind,
                sheet=options["sheet"],
                header_row=options["header_row"],
                columns=saved,
            )
            columns = saved or auto_mapping(kind, table.headers)
            last = [-1]

            def progress(done: int, total: int) -> None:
                percent = 100 * done // max(total, 1)
                if percent // 10 != last[0]:
                    last[0] = percent // 10
                    self.stderr.write(f"{done}/{total} rows ({percent}%)")

            report = run_import(
                content=content,
                kind=kind,
                by=by,
                reason=f"Import of {path.name} (manage.py import_data)",
                columns=columns,
                sheet=options["sheet"],
                header_row=options["header_row"],
                create_verified=options["verified"],
                publish=not options["draft"],
                commit=not options["dry_run"],
                on_progress=progress,
            )
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        for row in report.rows:
            if row["action"] == "error":
                for problem in row["problems"]:
                    self.stdout.write(
                        f"row {row['row']}: {problem['column']} “{problem['value']}”: "
                        f"{problem['message']}"
                    )
            elif row["action"] == "update":
                self.stdout.write(
                    f"row {row['row']}: update {row['reference']} ({', '.join(row['changes'])})"
                )
            elif row["action"] == "create" and options["verbosity"] > 1:
                self.stdout.write(f"row {row['row']}: create {row['reference']}")
        self.stdout.write(report.summary())
        if report.committed:
            self.stdout.write(self.style.SUCCESS("Imported."))
        elif options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        else:
            raise CommandError("Rows are in error: nothing was written.")

    def _user(self, email: str | None) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        if email:
            user = users.filter(email__iexact=email).first()
            if user is None:
                raise CommandError(f"No active account {email}.")
            return user
        user = users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError("Give --user: the secretariat account to record the import under.")
        return user

    def _saved(self, kind: str, name: str | None) -> dict[str, str] | None:
        if not name:
            return None
        saved = SavedMapping.objects.filter(kind=kind, name=name).first()
        if saved is None:
            raise CommandError(f"No saved mapping “{name}” for {kind}.")
        return dict(saved.columns)
