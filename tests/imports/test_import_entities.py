"""Importing a file of entities: matched by their look-alike name, created or updated."""

import pytest

from core.models import AuditEntry
from imports.services import run_import
from pledges.models import Entity

from .conftest import sample

pytestmark = pytest.mark.django_db

FILE = "entities_utf8_semicolon.csv"


def without_last_row(content: bytes) -> bytes:
    return content.replace("Gouvernement du Kenya;;État;Kenya;\r\n".encode(), b"")


def test_a_repeated_entity_refuses_the_file_and_names_both_rows_when_listed_twice(
    secretariat, known_entities
):
    report = run_import(
        content=sample(FILE), kind="entities", by=secretariat, reason="x", commit=True
    )

    assert not report.committed
    [error] = report.errors
    assert (error["row"], error["problems"][0]["message"]) == (
        6,
        "This entity is also on row 2 of the file.",
    )
    assert not Entity.objects.filter(name="Gouvernement du Kenya").exists()


def test_entities_are_created_or_updated_by_their_look_alike_name_when_the_file_is_valid(
    secretariat, known_entities
):
    report = run_import(
        content=without_last_row(sample(FILE)),
        kind="entities",
        by=secretariat,
        reason="Import 3 of entities.csv",
        commit=True,
        create_verified=False,
    )

    assert report.committed, report.errors
    assert report.as_json()["counts"] == {"create": 3, "update": 1, "unchanged": 0, "error": 0}
    unhcr = Entity.objects.get(acronym="HCR")
    assert (unhcr.entity_type.code, unhcr.country_id, unhcr.is_verified) == (
        "un_agency",
        "CH",
        False,
    )
    assert Entity.objects.get(name="Gouvernement du Kenya").entity_type.code == "state"
    canada = known_entities["canada"]
    canada.refresh_from_db()
    assert (canada.name, canada.acronym, canada.website) == (
        "Government of Canada",
        "GC",
        "https://www.canada.ca/",
    )
    assert (
        AuditEntry.objects.filter(
            action="imports.entity.updated", reason="Import 3 of entities.csv"
        ).count()
        == 1
    )

    again = run_import(
        content=without_last_row(sample(FILE)),
        kind="entities",
        by=secretariat,
        reason="y",
        commit=True,
    )
    assert again.as_json()["counts"] == {"create": 0, "update": 0, "unchanged": 4, "error": 0}
