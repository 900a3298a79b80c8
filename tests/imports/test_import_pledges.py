"""Importing a messy file of pledges: what it creates, what it refuses, and that a second run of
the same file changes nothing."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry
from imports.pledges import Options, PledgeRows
from imports.services import run_import
from pledges.models import Entity, Pledge, PledgeProgressMark, ReviewState

from .conftest import sample

pytestmark = pytest.mark.django_db

BOM_FILE = "grf_pledges_bom_semicolon.csv"


def corrected(name: str) -> bytes:
    """The sample with its typo fixed ("Kenia" → "Kenya")."""
    return sample(name).replace(b";Kenia;", b";Kenya;")


def test_the_typo_refuses_the_whole_file_and_names_row_column_and_suggestion_when_one_row_is_bad(
    secretariat, known_entities
):
    report = run_import(
        content=sample(BOM_FILE),
        kind="pledges",
        by=secretariat,
        reason="test",
        commit=True,
        create_verified=True,
    )

    assert not report.committed
    assert Pledge.objects.count() == 0
    assert not Entity.objects.filter(name="Acme Cooperative").exists()
    [error] = report.errors
    assert error["row"] == 5
    assert error["problems"] == [
        {
            "column": "Beneficiary countries",
            "value": "Kenia",
            "message": "Unknown country “Kenia”: did you mean Kenya?",
        }
    ]
    assert report.as_json()["counts"] == {"create": 2, "update": 0, "unchanged": 0, "error": 1}


def test_pledges_entities_audit_and_progress_marks_are_written_when_the_file_is_valid(
    secretariat, known_entities
):
    report = run_import(
        content=corrected(BOM_FILE),
        kind="pledges",
        by=secretariat,
        reason="Import 1 of grf.csv",
        commit=True,
        create_verified=True,
    )

    assert report.committed, report.errors
    pledge = Pledge.objects.get(external_id="GRF-1001")
    assert pledge.entity == known_entities["kenya"]
    assert pledge.review_state == ReviewState.PUBLISHED
    assert pledge.forum.code == "GRF23"
    assert str(pledge.amount) == "1500000.00"
    assert pledge.currency_id == "USD"
    assert pledge.announced_on.isoformat() == "2023-12-13"
    assert pledge.implementation_status == "in_progress"
    assert sorted(o.number for o in pledge.objectives.all()) == [2, 4]
    assert [c.code for c in pledge.beneficiary_countries.all()] == ["KE"]
    assert sorted(s.code for s in pledge.support_types.all()) == ["financial", "policy"]
    assert [t.slug for t in pledge.thematic_areas.all()] == ["education"]
    assert [p.entity.name for p in pledge.participants.all()] == ["Save the Children International"]
    acme = Entity.objects.get(name="Acme Cooperative")
    assert acme.is_verified
    assert Pledge.objects.get(external_id="GRF-1003").forum.code == "HLOM21"
    assert PledgeProgressMark.objects.filter(pledge_id=pledge.pk).exists()
    reasons = set(
        AuditEntry.objects.filter(object_id=str(pledge.pk)).values_list("reason", flat=True)
    )
    assert reasons == {"Import 1 of grf.csv"}
    assert [(h.review_state, h.history_change_reason) for h in pledge.history.all()] == [
        ("published", "Import 1 of grf.csv")
    ]


def test_the_second_run_changes_nothing_when_the_same_file_is_imported_twice(
    secretariat, known_entities
):
    content = corrected(BOM_FILE)
    run_import(
        content=content,
        kind="pledges",
        by=secretariat,
        reason="first",
        commit=True,
        create_verified=True,
    )
    audit_before = AuditEntry.objects.count()

    again = run_import(
        content=content,
        kind="pledges",
        by=secretariat,
        reason="second",
        commit=True,
        create_verified=True,
    )

    assert again.as_json()["counts"] == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    assert AuditEntry.objects.count() == audit_before
    assert Pledge.objects.count() == 3


def test_each_problem_names_its_column_when_currency_objective_and_duplicate_id_are_wrong(
    secretariat, known_entities
):
    content = (
        b"Pledge ID,Compact,Forum,Title,Description,Entity,Objectives,Countries,Amount,Currency\r\n"
        b"D-1,GCR,GRF23,One,Text,Government of Kenya,GCM 3,Kenya,100,US$\r\n"
        b"D-2,GCR,GRF23,Two,Text,Government of Kenya,GCR 1,Kenya,100,$\r\n"
        b"D-2,GCR,GRF23,Three,Text,Government of Kenya,GCR 1,Kenya,100,USD\r\n"
    )

    report = run_import(content=content, kind="pledges", by=secretariat, reason="x", commit=True)

    problems = {
        row["row"]: [(p["column"], p["value"], p["message"]) for p in row["problems"]]
        for row in report.errors
    }
    assert problems == {
        2: [
            (
                "Objectives",
                "GCM 3",
                "“GCM 3” is an objective of the GCM, not of the GCR.",
            )
        ],
        3: [("Currency", "$", "“$” could be several currencies: write its ISO code, e.g. USD.")],
        4: [("Pledge ID", "D-2", "This id is also on row 3 of the file.")],
    }
    assert Pledge.objects.count() == 0


def test_only_the_changed_fields_are_updated_when_a_corrected_file_is_imported(
    secretariat, known_entities
):
    content = corrected(BOM_FILE)
    run_import(
        content=content,
        kind="pledges",
        by=secretariat,
        reason="first",
        commit=True,
        create_verified=True,
    )

    again = run_import(
        content=content.replace(b"1.500.000,00", b"1.750.000,00"),
        kind="pledges",
        by=secretariat,
        reason="second",
        commit=True,
        create_verified=True,
    )

    assert again.as_json()["counts"] == {"create": 0, "update": 1, "unchanged": 2, "error": 0}
    [update] = [row for row in again.rows if row["action"] == "update"]
    assert update["changes"] == ["amount"]
    assert str(Pledge.objects.get(external_id="GRF-1001").amount) == "1750000.00"


def test_a_row_in_error_leaves_no_entity_it_created_while_the_run_goes_on(
    secretariat, known_entities
):
    # The row's savepoint is taken before its first write (the entity), not for every row.
    rows = PledgeRows(
        {
            "Pledge ID": "external_id",
            "Compact": "compact",
            "Entity": "entity",
            "Currency": "currency",
        },
        Options(by=secretariat, reason="x", commit=False),
    )

    with transaction.atomic():
        bad = rows.outcome(
            2, {"Pledge ID": "N-1", "Compact": "GCR", "Entity": "Brand New Org", "Currency": "$"}
        )

        assert bad.action == "error"
        assert not Entity.objects.filter(name="Brand New Org").exists()
        transaction.set_rollback(True)


def test_a_re_import_of_an_unchanged_file_reads_per_chunk_and_takes_no_savepoint_per_row(
    secretariat, known_entities
):
    content = corrected(BOM_FILE)
    run_import(
        content=content,
        kind="pledges",
        by=secretariat,
        reason="first",
        commit=True,
        create_verified=True,
    )

    with CaptureQueriesContext(connection) as queries:
        again = run_import(
            content=content, kind="pledges", by=secretariat, reason="second", commit=False
        )

    assert again.as_json()["counts"]["unchanged"] == 3
    statements = [q["sql"] for q in queries.captured_queries]
    # The run's own savepoint (inside the test's transaction), none for its rows.
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1
    # The entities of the three rows in one look-up.
    assert sum('FROM "pledges_entity"' in sql.split(" WHERE ")[0] for sql in statements) == 1
