"""`manage.py import_data`: the same dry run and summary without a browser."""

import pytest
from django.core.management import CommandError, call_command

from imports.models import SavedMapping
from pledges.models import Pledge

from .conftest import FILES

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_data", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_dry_run_prints_the_summary_and_writes_nothing_when_asked(secretariat, known_entities):
    output = run(
        "pledges",
        str(FILES / "hlom_pledges_windows1252.csv"),
        "--dry-run",
        "--verified",
        "--user",
        secretariat.email,
    )

    assert "2 to create, 0 to update, 0 unchanged, 0 in error" in output
    assert "Dry run: nothing was written." in output
    assert Pledge.objects.count() == 0


def test_the_command_names_the_bad_row_and_fails_when_a_row_is_wrong(secretariat, known_entities):
    with pytest.raises(CommandError, match="nothing was written"):
        run(
            "pledges",
            str(FILES / "grf_pledges_bom_semicolon.csv"),
            "--verified",
            "--user",
            secretariat.email,
        )

    assert Pledge.objects.count() == 0


def test_a_saved_mapping_is_applied_when_named(secretariat, known_entities, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "Ref,Pact,Event,Heading,Text,Who,Goals,Where\r\n"
        "Z-1,GCR,GRF23,Clinics,Primary care.,Government of Kenya,1,Kenya\r\n"
    )
    SavedMapping.objects.create(
        name="odd system",
        kind="pledges",
        columns={
            "Ref": "external_id",
            "Pact": "compact",
            "Event": "forum",
            "Heading": "title",
            "Text": "description",
            "Who": "entity",
            "Goals": "objectives",
            "Where": "countries",
        },
    )

    output = run("pledges", str(path), "--mapping", "odd system", "--user", secretariat.email)

    assert "Imported." in output
    assert Pledge.objects.get(external_id="Z-1").title == "Clinics"


def test_the_readme_sample_file_passes_its_dry_run_when_checked(secretariat, known_entities):
    output = run(
        "pledges",
        "docs/samples/pledges.csv",
        "--dry-run",
        "--verified",
        "--user",
        secretariat.email,
    )

    assert "2 to create, 0 to update, 0 unchanged, 0 in error" in output
