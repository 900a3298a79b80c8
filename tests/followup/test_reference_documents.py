"""`load_reference_data` ships the follow-up documents with a source each, idempotently, and
`--update` restores what the secretariat changed."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bootstrap import reference
from followup.models import DocumentKind, FollowUpDocument
from forums.models import Forum

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def links(slug: str) -> tuple[set[str], set[str], set[str]]:
    document = FollowUpDocument.objects.get(slug=slug)
    return (
        {f.code for f in document.forums.all()},
        {c.code for c in document.compacts.all()},
        {f"{o.compact.code}-{o.number}" for o in document.objectives.select_related("compact")},
    )


def test_every_shipped_document_names_an_address_as_its_source(reference_data: None) -> None:
    shipped = json.loads((reference.DATA_DIR / "followup_documents.json").read_text())

    documents = FollowUpDocument.objects.filter(is_reference=True)

    assert documents.count() == len(shipped) == 10
    for document in documents:
        assert document.source.startswith("https://"), document.slug
        assert document.url.startswith("https://"), document.slug


def test_each_kind_the_issue_names_is_shipped_when_loaded(reference_data: None) -> None:
    kinds = set(FollowUpDocument.objects.values_list("kind", flat=True))

    assert kinds >= {
        DocumentKind.GCR_INDICATOR_REPORT,
        DocumentKind.HC_ANNUAL_REPORT,
        DocumentKind.SG_GCM_REPORT,
        DocumentKind.IMRF_PROGRESS_DECLARATION,
        DocumentKind.HLOM_RECOMMENDATIONS,
        DocumentKind.FORUM_OUTCOME,
    }
    reports = FollowUpDocument.objects.filter(kind=DocumentKind.GCR_INDICATOR_REPORT)
    assert sorted(d.date.year for d in reports) == [2021, 2023, 2025]


def test_unconfirmed_symbol_is_not_shipped_but_said_in_the_note(reference_data: None) -> None:
    declaration = FollowUpDocument.objects.get(slug="imrf-2022-progress-declaration")

    assert declaration.symbol == ""
    assert "A/RES/76/266" in declaration.note
    assert "not confirmed" in declaration.note


def test_documents_are_linked_to_forums_compacts_and_all_their_objectives(
    reference_data: None,
) -> None:
    forums, compacts, objectives = links("sg-gcm-report-a-76-642")

    assert forums == {"IMRF22"}
    assert compacts == {"GCM"}
    assert objectives == {f"GCM-{n}" for n in range(1, 24)}
    assert links("grf-2023-co-hosts-summary")[0] == {"GRF23"}


def test_second_load_changes_nothing(reference_data: None) -> None:
    before = {slug: links(slug) for slug in FollowUpDocument.objects.values_list("slug", flat=True)}

    output = load()

    assert "Follow-up documents: 0 created, 0 updated, 10 unchanged" in output
    after = {slug: links(slug) for slug in FollowUpDocument.objects.values_list("slug", flat=True)}
    assert after == before


def test_empty_database_gets_every_document_with_its_links(no_reference_data: None) -> None:
    output = load()

    assert "Follow-up documents: 10 created, 0 updated, 0 unchanged" in output
    assert links("gcr-indicator-report-2023")[0] == {"GRF23"}


def test_secretariat_edits_survive_a_reload_and_update_restores_the_shipped_values(
    reference_data: None,
) -> None:
    document = FollowUpDocument.objects.get(slug="grf-2023-co-hosts-summary")
    FollowUpDocument.objects.filter(pk=document.pk).update(title="Edited", title_en="Edited")
    document.forums.set([Forum.objects.get(code="GRF19")])

    kept = load()

    assert "2 differ from the shipped data and were kept" not in kept
    assert "(1 differs from the shipped data and was kept" in kept
    document.refresh_from_db()
    assert document.title == "Edited"
    assert links(document.slug)[0] == {"GRF19"}

    restored = load("--update")

    assert "Follow-up documents: 0 created, 1 updated, 9 unchanged" in restored
    document.refresh_from_db()
    assert (
        document.title
        == "Summary of the Global Refugee Forum 2023 by the co-hosts and co-convenors"
    )
    assert links(document.slug)[0] == {"GRF23"}


def test_update_restores_links_when_only_links_were_changed(reference_data: None) -> None:
    document = FollowUpDocument.objects.get(slug="gcr-indicator-report-2021")
    document.objectives.clear()

    output = load("--update")

    assert "Follow-up documents: 0 created, 1 updated, 9 unchanged" in output
    assert links(document.slug)[2] == {f"GCR-{n}" for n in range(1, 5)}


def test_row_without_an_address_as_source_or_with_an_unknown_forum_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_reference_data: None
) -> None:
    data = tmp_path / "data"
    shutil.copytree(reference.DATA_DIR, data)
    rows = json.loads((data / "followup_documents.json").read_text())
    rows[0]["source"] = "UNHCR's website"
    rows[1]["forums"] = ["GRF99"]
    (data / "followup_documents.json").write_text(json.dumps(rows))
    monkeypatch.setattr(reference, "DATA_DIR", data)

    with pytest.raises(CommandError) as error:
        load()

    message = str(error.value)
    assert "followup_documents.json item 1: source: name the address" in message
    assert "followup_documents.json item 2: forums: no forum 'GRF99'" in message
    assert not FollowUpDocument.objects.exists()
