"""The compacts' texts as adopted (issue 18, items 1–2): GCM commitments and lettered actions
checked against A/RES/73/195, the guiding principles' text, the GCR objectives' wording of GCR
paragraph 7 and its document; every shipped row names its source."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from compacts.models import Compact, GuidingPrinciple, Objective, ObjectiveAction

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "bootstrap" / "data"

# The actions shipped per GCM objective: those whose whole text was read on the resolution's
# printed pages (objective 23's (a)–(c) are kept from the earlier release). Objectives 8 and 11
# have none yet; bootstrap/data/SOURCES.md lists what is missing.
SHIPPED_ACTIONS = {
    1: ["c", "d", "e", "k"],
    2: ["a", "f", "g", "h", "i"],
    3: ["a", "b", "c", "d"],
    4: ["c", "d", "e", "f", "g"],
    5: ["d", "e", "f", "g"],
    6: ["a", "b", "c", "d", "k", "l"],
    7: ["d", "e", "f", "g"],
    9: ["a", "b", "c"],
    10: ["a", "b", "c", "d"],
    12: ["a", "b"],
    13: ["a", "b", "c", "d"],
    14: ["a", "b", "c"],
    15: ["a", "b", "c", "d"],
    16: ["a", "b", "c", "d", "e", "f"],
    17: ["a", "b", "c", "d"],
    18: ["a", "b", "c", "d", "e", "k", "l"],
    19: ["a", "b", "g", "h", "i", "j"],
    20: ["e", "f", "g", "h"],
    21: ["c", "d", "e"],
    22: ["a", "b", "c"],
    23: ["a", "b", "c", "d", "e"],
}
COMMITMENTS = {
    1: "We commit to strengthen the global evidence base",
    2: "We commit to create conducive political",
    7: "We commit to respond to the needs",
    12: "We commit to increase legal certainty",
    13: "We commit to ensure that any detention",
    14: "We commit to strengthen consular",
    19: "We commit to empower migrants and diasporas",
}


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def shipped_letters() -> dict[int, list[str]]:
    letters: dict[int, list[str]] = {}
    for number, letter in ObjectiveAction.objects.filter(
        objective__compact__code="GCM"
    ).values_list("objective__number", "letter"):
        letters.setdefault(number, []).append(letter)
    return {number: sorted(found) for number, found in sorted(letters.items())}


def test_each_gcm_objective_has_the_actions_shipped_for_it_when_loaded(
    reference_data: None,
) -> None:
    assert shipped_letters() == SHIPPED_ACTIONS
    assert ObjectiveAction.objects.count() == 90


def test_actions_keep_the_resolutions_wording_not_a_retyped_copy(reference_data: None) -> None:
    text = {
        f"{number}{letter}": body
        for number, letter, body in ObjectiveAction.objects.values_list(
            "objective__number", "letter", "text"
        )
    }

    # The adopted text, where the final draft that web pages copy said otherwise.
    assert "with a view to informing the implementation" in text["1d"]
    assert "Organization for Migration (IOM) Global Migration Data Portal" in text["1e"]
    assert text["22a"].endswith("Social Protection Floors Recommendation, 2012 (No. 202);")
    assert text["6l"].endswith("International Recruitment Integrity System (IRIS).")
    # No footnote numbers or broken words from the PDF's text layer.
    assert not any(" 21 " in t or " 22 " in t or "  " in t for t in text.values())


def test_every_shipped_text_names_its_document_paragraph_and_address() -> None:
    files = ["objective_actions.json", "objectives.json", "guiding_principles.json"]
    rows = [row for name in files for row in json.loads((DATA / name).read_text("utf-8"))]

    missing = [row for row in rows if "https://" not in row.get("source", "")]
    assert missing == []
    for row in rows:
        assert "A/RES/73/195" in row["source"] or "A/73/12 (Part II)" in row["source"]
        assert "para." in row["source"]


def test_every_loaded_action_objective_and_principle_has_its_source(reference_data: None) -> None:
    assert not ObjectiveAction.objects.filter(source="").exists()
    assert not Objective.objects.filter(source="").exists()
    assert not GuidingPrinciple.objects.filter(source="").exists()


def test_commitments_are_loaded_where_checked_and_left_empty_elsewhere(
    reference_data: None,
) -> None:
    commitments = dict(
        Objective.objects.filter(compact__code="GCM").values_list("number", "commitment")
    )

    shipped = {number for number, text in commitments.items() if text}
    assert shipped == set(COMMITMENTS)
    for number, start in COMMITMENTS.items():
        assert commitments[number].startswith(start)
    assert "para. 23 (commitment" in Objective.objects.get(compact__code="GCM", number=7).source
    # Two commitments are completed from a copy where the printed page could not be read; their
    # source says which words, and the printed wording is kept where both could be read.
    copied = Objective.objects.filter(compact__code="GCM", source__contains="(a copy)")
    assert sorted(copied.values_list("number", flat=True)) == [1, 13]
    assert "is based on law" in commitments[13]
    assert "in proceedings of return" in commitments[13]
    assert "accurate, reliable and comparable data" in commitments[1]
    gcr = Objective.objects.filter(compact__code="GCR").values_list("commitment", flat=True)
    assert not any(gcr)


def test_guiding_principles_carry_their_text_from_paragraph_15(reference_data: None) -> None:
    texts = dict(GuidingPrinciple.objects.filter(compact__code="GCM").values_list("number", "text"))

    assert texts[1].startswith("The Global Compact carries a strong human dimension")
    assert texts[10].startswith("The Global Compact promotes broad multi-stakeholder partnerships")
    assert {number for number, text in texts.items() if text} == set(range(1, 11))
    # (d)–(g) are copies quoted by the UN Network on Migration: their source says so.
    sources = dict(
        GuidingPrinciple.objects.filter(compact__code="GCM").values_list("number", "source")
    )
    assert all("(a copy)" in sources[number] for number in (4, 5, 6, 7))
    assert not any("(a copy)" in sources[number] for number in (1, 2, 3, 8, 9, 10))
    # Each item of the list in para. 15 but the last ends with a semicolon.
    assert all(texts[number].endswith(";") for number in range(1, 10))
    assert texts[7].endswith("addressing migrant women primarily through a lens of victimhood;")


def test_gcr_objectives_keep_the_wording_of_paragraph_7_and_its_document(
    reference_data: None,
) -> None:
    gcr = Compact.objects.get(code="GCR")
    titles = dict(gcr.objectives.values_list("number", "title"))

    assert titles[3] == "Expand access to third country solutions"
    assert titles[4] == "Support conditions in countries of origin for return in safety and dignity"
    assert gcr.objectives.get(number=3).short_label == "Third-country solutions"
    assert (gcr.document_symbol, gcr.resolution_symbol) == ("A/73/12 (Part II)", "A/RES/73/151")
    assert gcr.document_url == "https://undocs.org/A/73/12(PARTII)"


def test_objective_page_shows_the_commitment_and_the_lettered_actions(
    client: Client, reference_data: None
) -> None:
    response = client.get("/objectives/GCM/7/")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<h2 id="commitment-heading">Commitment</h2>' in html
    assert "We commit to respond to the needs of migrants who face situations of vulnerab" in html
    assert '<li id="action-d"><strong>(d)</strong>' in html
    assert "Account for migrant children in national child protection systems" in html
    # (a)–(c) are not shipped yet: the page says so instead of pretending the list is whole.
    assert "Not listed yet: (a, b, c)." in html
    assert 'href="https://undocs.org/A/RES/73/195"' in html


def test_objective_page_without_a_shipped_commitment_has_no_empty_section(
    client: Client, reference_data: None
) -> None:
    html = client.get("/objectives/GCM/8/").content.decode()

    assert "commitment-heading" not in html
    assert "actions-heading" not in html


def test_gcr_objective_page_links_the_compacts_document_and_resolution(
    client: Client, reference_data: None
) -> None:
    html = client.get("/objectives/GCR/2/").content.decode()

    assert '<a href="https://undocs.org/A/73/12(PARTII)">A/73/12 (Part II)</a>' in html
    assert '<a href="https://undocs.org/A/RES/73/151">A/RES/73/151</a>' in html
    assert "Not listed yet" not in html


def test_french_page_marks_the_english_commitment_as_english(
    client: Client, reference_data: None
) -> None:
    html = client.get("/fr/objectives/GCM/7/").content.decode()

    assert '<blockquote class="official-text" lang="en">' in html
    assert '<span lang="en">Account for migrant children' in html
    # Objective 23's actions have a French text (the project's), shown as French.
    html23 = client.get("/fr/objectives/GCM/23/").content.decode()
    assert '<span lang="fr">Appuyer les autres États' in html23


def test_api_exposes_the_commitment_and_the_sources(reference_data: None) -> None:
    api = APIClient()
    [objective] = api.get("/api/v1/objectives/", {"compact": "GCM", "number": 14}).json()["results"]
    compact = api.get("/api/v1/compacts/GCR/").json()
    principle = api.get("/api/v1/principles/", {"compact": "GCM"}).json()["results"][0]

    assert objective["commitment"].startswith("We commit to strengthen consular protection")
    assert "A/RES/73/195" in objective["source"]
    assert [a["letter"] for a in objective["actions"]] == ["a", "b", "c"]
    assert all("page 23 of the resolution" in a["source"] for a in objective["actions"])
    assert compact["document_symbol"] == "A/73/12 (Part II)"
    assert compact["resolution_url"] == "https://undocs.org/A/RES/73/151"
    assert principle["text"].startswith("The Global Compact carries a strong human dimension")


def test_reload_changes_nothing_and_update_restores_an_edited_commitment(
    reference_data: None,
) -> None:
    assert "Objective actions: 0 created, 0 updated, 90 unchanged" in load()
    Objective.objects.filter(compact__code="GCM", number=2).update(
        commitment="Edited", commitment_en="Edited"
    )
    ObjectiveAction.objects.filter(objective__number=22, letter="a").update(source="")

    kept = load()
    edited = Objective.objects.get(compact__code="GCM", number=2)
    assert edited.commitment == "Edited"
    assert "Objectives: 0 created, 0 updated, 27 unchanged" in kept
    # An empty text is filled without --update (a release shipping a new text).
    assert ObjectiveAction.objects.get(objective__number=22, letter="a").source
    assert "Objective actions: 0 created, 1 updated, 89 unchanged" in kept

    load("--update")
    restored = Objective.objects.get(compact__code="GCM", number=2)
    assert restored.commitment.startswith("We commit to create conducive political")
    assert Objective.objects.rewrite(False).get(pk=restored.pk).commitment == restored.commitment
    assert "Objectives: 0 created, 0 updated, 27 unchanged" in load()


def test_a_database_loaded_before_this_release_gets_the_commitments_without_update(
    reference_data: None,
) -> None:
    Objective.objects.update(commitment="", commitment_en=None, source="")

    load()

    assert Objective.objects.get(compact__code="GCM", number=19).commitment.startswith(
        "We commit to empower migrants and diasporas"
    )
    assert Objective.objects.rewrite(False).get(compact__code="GCM", number=19).commitment
    assert not Objective.objects.filter(source="").exists()
