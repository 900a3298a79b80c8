"""`manage.py load_reference_data` ships the compacts' reference data and is safe to re-run."""

import datetime as dt
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from pytest_django import DjangoAssertNumQueries

from bootstrap import reference
from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.models import Country, Currency, Region
from forums.models import Forum, ForumKind
from indicators.models import Direction, Indicator, IndicatorUnit
from partnerships.models import MultistakeholderPledge
from pledges.models import EntityType, SupportType
from tests.factories import REFERENCE_MODELS, UserFactory

pytestmark = pytest.mark.django_db

ALL_MODELS = REFERENCE_MODELS


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def titles(compact_code: str) -> dict[int, str]:
    return dict(Objective.objects.filter(compact__code=compact_code).values_list("number", "title"))


def test_gcr_has_its_four_objectives_with_official_titles_when_loaded(reference_data: None) -> None:
    gcr = titles("GCR")

    assert sorted(gcr) == [1, 2, 3, 4]
    assert gcr == {
        1: "Ease pressures on host countries",
        2: "Enhance refugee self-reliance",
        3: "Expand access to third country solutions",
        4: "Support conditions in countries of origin for return in safety and dignity",
    }
    assert Objective.objects.get(compact__code="GCR", number=1).short_label == (
        "Ease pressures on host countries"
    )


def test_gcm_has_its_23_objectives_with_official_titles_when_loaded(reference_data: None) -> None:
    gcm = titles("GCM")

    assert sorted(gcm) == list(range(1, 24))
    assert gcm[1] == (
        "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies"
    )
    assert gcm[13] == (
        "Use migration detention only as a measure of last resort and work towards alternatives"
    )
    assert gcm[20] == (
        "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion "
        "of migrants"
    )
    assert gcm[23] == (
        "Strengthen international cooperation and global partnerships for safe, orderly and "
        "regular migration"
    )
    labels = dict(
        Objective.objects.filter(compact__code="GCM").values_list("number", "short_label")
    )
    assert labels[2] == "Minimize adverse drivers"
    assert labels[22] == "Social protection"


def test_compacts_carry_their_adoption_when_loaded(reference_data: None) -> None:
    gcr = Compact.objects.get(code="GCR")
    gcm = Compact.objects.get(code="GCM")

    assert gcr.name == "Global Compact on Refugees"
    assert gcr.adopted_on == dt.date(2018, 12, 17)
    assert gcm.name == "Global Compact for Safe, Orderly and Regular Migration"
    assert "73/195" in gcm.adoption_note
    assert gcr.summary
    assert gcm.summary


def test_gcm_objective_23_has_actions_a_to_e_with_the_adopted_text_when_loaded(
    reference_data: None,
) -> None:
    actions = dict(
        ObjectiveAction.objects.filter(
            objective__compact__code="GCM", objective__number=23
        ).values_list("letter", "text")
    )

    assert sorted(actions) == ["a", "b", "c", "d", "e"]
    assert actions["a"].startswith("Support other States as we collectively implement")
    assert actions["c"].startswith("Involve and support local authorities")
    assert "capacity-building mechanism" in actions["d"]
    assert actions["e"].endswith("in accordance with the Global Compact.")
    # The two commas the Hub's copy dropped (issue 18).
    assert "national priorities, policies, action plans and strategies" in actions["a"]
    assert "human resources from States, international financial institutions" in actions["d"]


def test_gcm_has_ten_numbered_guiding_principles_when_loaded(reference_data: None) -> None:
    principles = dict(
        GuidingPrinciple.objects.filter(compact__code="GCM").values_list("number", "name")
    )

    assert sorted(principles) == list(range(1, 11))
    assert principles[1] == "People-centred"
    assert principles[10] == "Whole-of-society approach"
    assert GuidingPrinciple.objects.count() == 10


@pytest.mark.parametrize(
    ("code", "compact", "kind", "start", "end"),
    [
        ("HLS19", "GCR", ForumKind.HLS, dt.date(2019, 10, 7), dt.date(2019, 10, 7)),
        ("GRF19", "GCR", ForumKind.GRF, dt.date(2019, 12, 16), dt.date(2019, 12, 18)),
        ("HLOM21", "GCR", ForumKind.HLOM, dt.date(2021, 12, 14), dt.date(2021, 12, 15)),
        ("GRF23", "GCR", ForumKind.GRF, dt.date(2023, 12, 13), dt.date(2023, 12, 15)),
        ("PR25", "GCR", ForumKind.PROGRESS_REVIEW, dt.date(2025, 12, 15), dt.date(2025, 12, 17)),
        ("GRF27", "GCR", ForumKind.GRF, None, None),
        ("IMRF22", "GCM", ForumKind.IMRF, dt.date(2022, 5, 17), dt.date(2022, 5, 20)),
        ("IMRF26", "GCM", ForumKind.IMRF, dt.date(2026, 5, 5), dt.date(2026, 5, 8)),
        ("GCMRR21", "GCM", ForumKind.REGIONAL_REVIEW, None, None),
        ("GCMRR25", "GCM", ForumKind.REGIONAL_REVIEW, None, None),
    ],
)
def test_forum_has_its_compact_kind_and_dates_when_loaded(
    reference_data: None,
    code: str,
    compact: str,
    kind: str,
    start: dt.date | None,
    end: dt.date | None,
) -> None:
    forum = Forum.objects.get(code=code)

    assert forum.compact.code == compact
    assert forum.kind == kind
    assert (forum.start_date, forum.end_date) == (start, end)


def test_forums_keep_their_figures_and_open_questions_when_loaded(reference_data: None) -> None:
    grf23 = Forum.objects.get(code="GRF23")
    assert grf23.place == "Geneva (Palexpo)"
    # Its participation figures are official figures with their source (tests/goals).
    assert grf23.official_figures.count() == 11
    assert Forum.objects.get(code="GRF27").year == 2027
    # The segment's day was confirmed (issue 18): no placeholder note is left.
    hls = Forum.objects.get(code="HLS19").description
    assert "7 October 2019" in hls
    assert "placeholder" not in hls
    assert Forum.objects.get(code="PR25").name == "GRF Progress Review 2025 (second HLOM)"
    assert Forum.objects.count() == 10


def test_entity_and_support_types_are_listed_in_order_when_loaded(reference_data: None) -> None:
    entity_types = list(EntityType.objects.values_list("code", flat=True))
    support_types = list(SupportType.objects.values_list("code", flat=True))

    assert entity_types == [
        "state",
        "un_agency",
        "regional_org",
        "ifi",
        "ngo",
        "ngo_international",
        "refugee_led",
        "migrant_diaspora",
        "women_led",
        "faith_based",
        "red_cross",
        "nhri",
        "trade_union",
        "private_sector",
        "foundation",
        "academia",
        "media",
        "local_authority",
        "parliament",
        "sports",
        "other",
    ]
    assert EntityType.objects.get(code="local_authority").name == "City or local authority"
    assert support_types == [
        "financial",
        "material",
        "technical",
        "policy",
        "places",
        "human_resources",
        "other",
    ]
    assert SupportType.objects.get(code="places").name == (
        "Resettlement or complementary-pathway places"
    )


def test_gcr_has_grf_thematic_areas_when_loaded(reference_data: None) -> None:
    names = set(ThematicArea.objects.filter(compact__code="GCR").values_list("name", flat=True))

    assert {"Education", "Jobs and livelihoods", "Protection capacity"} <= names
    # GRF 2023's multistakeholder pledges are records of their own, no longer thematic areas.
    assert not names & {"Resettlement", "Climate action"}
    assert ThematicArea.objects.count() == 6


def test_grf23_multistakeholder_pledges_are_reference_records_when_loaded(
    reference_data: None,
) -> None:
    msp = MultistakeholderPledge.objects.get(slug="resettlement")
    assert msp.is_reference
    assert msp.forum is not None
    assert msp.forum.code == "GRF23"
    # Each names the page of the GCR digital platform its name was read on.
    assert msp.source_url == (
        "https://globalcompactrefugees.org/pledges-contributions/multistakeholder-pledges-2023/"
        "multistakeholder-pledge-resettlement"
    )
    assert msp.title_fr == "Réinstallation"
    # The project's translations are marked unofficial, like the thematic areas they were.
    assert set(msp.unofficial_languages) == {"ar", "zh-hans", "fr", "ru", "es"}
    assert MultistakeholderPledge.objects.filter(is_reference=True).count() == 42
    # A name found without an official translation shows in English, without an unofficial mark.
    hlp = MultistakeholderPledge.objects.get(
        slug="durable-solutions-through-secure-housing-land-and-property"
    )
    assert hlp.title_fr in (None, "")
    assert hlp.unofficial_languages == []
    assert sorted(hlp.objectives.values_list("number", flat=True)) == [1, 4]


def test_support_platforms_cover_their_countries_when_loaded(reference_data: None) -> None:
    platforms = {
        platform.code: {country.code for country in platform.countries.all()}
        for platform in SupportPlatform.objects.prefetch_related("countries")
    }

    assert platforms == {
        "SSAR": {"AF", "IR", "PK"},
        "MIRPS": {"BZ", "CR", "SV", "GT", "HN", "MX", "PA"},
        "IGAD": {"DJ", "ER", "ET", "KE", "SO", "SS", "SD", "UG"},
        # The seven signatories of the Yaoundé Declaration (27 April 2022).
        "CAR-SSP": {"CF", "CM", "TD", "CG", "CD", "SD", "SS"},
    }
    launched = dict(SupportPlatform.objects.values_list("code", "launched_year"))
    # SSAR, MIRPS and IGAD were launched at GRF 2019, CAR-SSP in Bangui in 2023.
    assert launched == {"SSAR": 2019, "MIRPS": 2019, "IGAD": 2019, "CAR-SSP": 2023}


def test_gcr_indicators_hang_off_the_objective_they_measure_when_loaded(
    reference_data: None,
) -> None:
    indicators = Indicator.objects.select_related("objective", "compact", "edition")

    assert indicators.count() == 12
    for indicator in indicators:
        assert indicator.compact.code == "GCR"
        assert indicator.objective.compact_id == indicator.compact_id
        assert indicator.objective.number == int(indicator.code[0])
        # Not yet checked against the framework's text: the data says so, row by row.
        assert indicator.confirmed is False
        assert "not yet checked" in indicator.confirmation_note
        assert indicator.edition.slug == "gcr-2022"
        assert indicator.framework_version == "2022"
    poverty = Indicator.objects.get(code="2.2.2")
    assert poverty.direction == Direction.LOWER_IS_BETTER
    assert poverty.unit == IndicatorUnit.PERCENT
    assert Indicator.objects.get(code="1.1.1").unit == IndicatorUnit.USD
    assert Indicator.objects.get(code="3.1.1").unit == IndicatorUnit.PERSONS
    assert Indicator.objects.filter(direction=Direction.LOWER_IS_BETTER).count() == 1


def test_countries_carry_un_m49_regions_when_loaded(reference_data: None) -> None:
    kenya = Country.objects.get(code="KE")

    assert 245 <= Country.objects.count() <= 250
    assert (kenya.iso3, kenya.name, kenya.region, kenya.subregion) == (
        "KEN",
        "Kenya",
        Region.AFRICA,
        "Eastern Africa",
    )
    assert Country.objects.get(code="CH").region == Region.EUROPE
    assert Country.objects.get(code="AF").subregion == "Southern Asia"
    assert Country.objects.get(code="AQ").region == ""
    assert not Country.objects.exclude(code="AQ").filter(region="").exists()


def test_currencies_include_the_pledging_currencies_when_loaded(reference_data: None) -> None:
    codes = set(Currency.objects.values_list("code", flat=True))

    assert {"USD", "EUR", "CHF", "GBP", "JPY", "KES"} <= codes
    assert Currency.objects.get(code="CHF").name == "Swiss Franc"
    assert "XXX" not in codes


def test_reload_creates_no_duplicates_when_run_twice(reference_data: None) -> None:
    counts = {model: model.objects.count() for model in ALL_MODELS}
    links = SupportPlatform.countries.through.objects.count()

    output = load()

    assert {model: model.objects.count() for model in ALL_MODELS} == counts
    assert SupportPlatform.countries.through.objects.count() == links
    assert "Objectives: 0 created, 0 updated, 27 unchanged" in output


def test_edited_title_survives_when_reloaded_without_update(reference_data: None) -> None:
    Objective.objects.filter(compact__code="GCR", number=1).update(
        title="Edited by the secretariat"
    )

    output = load()

    assert titles("GCR")[1] == "Edited by the secretariat"
    assert "Objectives: 0 created, 0 updated, 27 unchanged" in output
    assert "1 differs from the shipped data and was kept" in output


def test_edited_title_is_restored_when_reloaded_with_update(reference_data: None) -> None:
    Objective.objects.filter(compact__code="GCR", number=1).update(
        title="Edited by the secretariat"
    )
    Forum.objects.filter(code="GRF27").update(start_date=dt.date(2027, 12, 1))

    output = load("--update")

    assert titles("GCR")[1] == "Ease pressures on host countries"
    assert "Objectives: 0 created, 1 updated, 26 unchanged" in output
    # Dates we do not ship are the secretariat's to set; --update leaves them alone.
    assert Forum.objects.get(code="GRF27").start_date == dt.date(2027, 12, 1)


def test_country_removed_from_platform_stays_removed_unless_update(reference_data: None) -> None:
    SupportPlatform.objects.get(code="SSAR").countries.remove("PK")

    load()
    kept = set(SupportPlatform.objects.get(code="SSAR").countries.values_list("code", flat=True))
    output = load("--update")
    restored = set(
        SupportPlatform.objects.get(code="SSAR").countries.values_list("code", flat=True)
    )

    assert kept == {"AF", "IR"}
    assert restored == {"AF", "IR", "PK"}
    assert "Support platforms: 0 created, 1 updated, 3 unchanged" in output


def test_missing_rows_are_recreated_when_reloaded(reference_data: None) -> None:
    Forum.objects.filter(code="GRF27").delete()
    EntityType.objects.filter(code="sports").delete()

    output = load()

    assert Forum.objects.filter(code="GRF27").exists()
    assert EntityType.objects.filter(code="sports").exists()
    assert "Forums: 1 created, 0 updated, 9 unchanged" in output


def test_first_load_reports_what_it_created_per_table_when_database_is_empty(
    no_reference_data: None,
) -> None:
    output = load()

    assert "Compacts: 2 created, 0 updated, 0 unchanged" in output
    assert "Objectives: 27 created, 0 updated, 0 unchanged" in output
    assert "Forums: 10 created, 0 updated, 0 unchanged" in output
    assert "Entity types: 21 created, 0 updated, 0 unchanged" in output
    assert "Roles: 1 created, 0 updated, 0 unchanged" in output
    # One line per table, plus the roles.
    assert len(output.strip().splitlines()) == len(ALL_MODELS) + 1


def test_secretariat_group_can_review_pledges_when_reference_data_is_loaded() -> None:
    load()

    reviewer = UserFactory(email="reviewer@example.org", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Secretariat"))

    assert reviewer.has_perm("pledges.review_pledge")
    assert reviewer.has_perm("indicators.change_indicatorvalue")
    assert "Roles: 0 created, 0 updated, 1 unchanged" in load()


def test_load_prints_nothing_when_verbosity_is_zero() -> None:
    out = StringIO()

    call_command("load_reference_data", verbosity=0, stdout=out)

    assert out.getvalue() == ""
    assert Objective.objects.count() == 27


def test_load_is_fast_when_everything_is_already_loaded(
    reference_data: None, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    # A few queries per table, not one per row (thousands): `make run` reloads on every start.
    tables = len(reference.load_reference_data())
    with django_assert_max_num_queries(3 * tables):
        load()


def test_bad_rows_are_all_reported_with_file_and_line_and_nothing_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_reference_data: None
) -> None:
    # A copy of the shipped files with four mistakes a maintainer could make.
    data = tmp_path / "data"
    shutil.copytree(reference.DATA_DIR, data)
    countries = (data / "countries.csv").read_text().splitlines()
    # Not an M49 region (the file's line numbers count its header comments too).
    uae = next(number for number, line in enumerate(countries) if line.startswith("AE,"))
    countries[uae] = countries[uae].replace(",142,", ",999,")
    (data / "countries.csv").write_text("\n".join(countries) + "\n")
    objectives = json.loads((data / "objectives.json").read_text())
    objectives[1]["number"] = "two"  # item 2
    objectives[2]["number"] = objectives[0]["number"]  # item 3: a duplicate of item 1
    (data / "objectives.json").write_text(json.dumps(objectives))
    forums = json.loads((data / "forums.json").read_text())
    forums[0]["compact"] = "GCX"  # item 1: no such compact
    (data / "forums.json").write_text(json.dumps(forums))
    monkeypatch.setattr(reference, "DATA_DIR", data)

    with pytest.raises(CommandError) as refused:
        load()

    message = str(refused.value)
    assert "Nothing was loaded" in message
    assert f"countries.csv line {uae + 1}: region: " in message
    assert "objectives.json item 2: number: " in message
    assert "objectives.json item 3: compact_id, number: the same as objectives.json item 1" in (
        message
    )
    assert "forums.json item 1: compact: no compact 'GCX'" in message
    assert not Country.objects.exists()  # the valid tables before them were rolled back too
    assert not Objective.objects.exists()
