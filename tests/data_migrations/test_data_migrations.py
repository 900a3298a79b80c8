"""The data migrations on databases of earlier releases: each test plants, with the historical
models, the few rows its migration moves, migrates past it and checks what it made of them.

The tests run in graph order on one scratch database migrated forward only (conftest.py); each
one's rows and migrations are rolled back when it ends. One xdist worker runs them all, so the
database is migrated from zero once. A new test goes where its migration is in the plan
(`manage.py showmigrations --plan`): out of order it still passes, at the cost of a second
migration from zero."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections
from django.db.migrations.state import StateApps

from bootstrap.demo.words import DEMO_SOURCE
from matching.models import Decision, MatchState, public_match_q
from partnerships.models import MembershipOrigin, MembershipState

from .conftest import ALIAS, Journey

pytestmark = pytest.mark.xdist_group("data-migrations")

PUBLISHED_AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _compact(apps: StateApps, code: str = "GCR") -> Any:
    return apps.get_model("compacts", "Compact").objects.create(code=code, name=code)


def _grf23(apps: StateApps, compact: Any, **columns: Any) -> Any:
    return apps.get_model("forums", "Forum").objects.create(
        kind="grf",
        code="GRF23",
        name="Global Refugee Forum 2023",
        year=2023,
        compact=compact,
        **columns,
    )


def _entity(apps: StateApps, name: str = "Old Entity", **fields: Any) -> Any:
    entity_type = apps.get_model("pledges", "EntityType").objects.get_or_create(
        code="ngo", defaults={"name": "NGO / civil society"}
    )[0]
    return apps.get_model("pledges", "Entity").objects.create(
        name=name, entity_type=entity_type, **fields
    )


def _pledge(apps: StateApps, forum: Any, entity: Any, reference: str, **fields: Any) -> Any:
    return apps.get_model("pledges", "Pledge").objects.create(
        reference=reference,
        description="d",
        compact_id=forum.compact_id,
        forum=forum,
        entity=entity,
        **{"title": reference, **fields},
    )


# core 0003, indicators 0006: exchange rates moved from indicators to core.

EXCHANGE_RATES_BEFORE = [
    ("core", "0002_audit_entry"),
    ("indicators", "0005_run_heartbeat_and_abandoned"),
]
EXCHANGE_RATES_AFTER = [
    ("core", "0003_exchange_rate"),
    ("indicators", "0006_exchange_rate_moves_to_core"),
]
DAY = dt.date(2031, 1, 2)


def test_a_rate_and_its_permissions_survive_the_move_to_core(journey: Journey) -> None:
    with journey.trial(EXCHANGE_RATES_BEFORE) as old:
        eur = old.get_model("core", "Currency").objects.create(code="EUR", name="Euro")
        old.get_model("indicators", "ExchangeRate").objects.create(
            currency=eur, date=DAY, usd_per_unit=Decimal("1.0825")
        )
        # The content type and permission `post_migrate` made on a database of that release.
        rates = old.get_model("contenttypes", "ContentType").objects.create(
            app_label="indicators", model="exchangerate"
        )
        permission = old.get_model("auth", "Permission").objects.create(
            content_type=rates, codename="change_exchangerate", name="Can change exchange rate"
        )
        old.get_model("auth", "Group").objects.create(name="Rate keepers").permissions.add(
            permission
        )

        new = journey.migrate(EXCHANGE_RATES_AFTER)

        rate = new.get_model("core", "ExchangeRate")
        kept = rate.objects.get(currency_id="EUR", date=DAY)
        assert kept.usd_per_unit == Decimal("1.0825")
        assert (
            new.get_model("auth", "Group")
            .objects.get(name="Rate keepers")
            .permissions.filter(content_type__app_label="core", codename="change_exchangerate")
            .exists()
        )
        # The renamed table's id sequence still numbers new rows.
        added = rate.objects.create(
            currency_id="EUR", date=DAY + dt.timedelta(days=1), usd_per_unit=1
        )
        assert added.pk > kept.pk


# partnerships 0002: the six GRF 2023 MSP thematic areas become MSPs; their tagged pledges and
# the sources of `contributes_to` links to tagged pledges become accepted members (decided by
# the migration, with the reason in the history); the links and the areas are deleted. Then
# pledges 0020 removes the links of kinds that no longer exist, with an audit entry each.

PARTNERSHIPS_BEFORE = [("partnerships", "0001_initial")]
PARTNERSHIPS_AFTER = [("partnerships", "0002_thematic_areas_and_links_become_memberships")]
LINK_KINDS_AFTER = [("pledges", "0020_link_kinds_moved_to_matches_and_memberships")]


def test_tagged_pledges_and_contributing_links_become_memberships(journey: Journey) -> None:
    with journey.trial(PARTNERSHIPS_BEFORE) as old:
        gcr = _compact(old)
        area_model = old.get_model("compacts", "ThematicArea")
        # As a database of the previous release: the area exists, the MSP does not.
        area = area_model.objects.create(
            compact=gcr, slug="climate-action", name="Climate action", name_fr="Action climatique"
        )
        education = area_model.objects.create(compact=gcr, slug="education", name="Education")
        forum = _grf23(old, gcr)
        entity = _entity(old, is_verified=True, verified_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))

        def pledge(number: int) -> Any:
            return _pledge(
                old,
                forum,
                entity,
                f"GRF23-{number:05d}",
                review_state="published",
                published_at=PUBLISHED_AT,
            )

        link = old.get_model("pledges", "PledgeLink")
        tagged, contributor, bystander, other_link = pledge(1), pledge(2), pledge(3), pledge(4)
        tagged.thematic_areas.add(area, education)
        link.objects.create(source=contributor, target=tagged, kind="contributes_to")
        # Two links to the same MSP make one membership; a link of another kind stays.
        link.objects.create(source=contributor, target=pledge(5), kind="contributes_to")
        old.get_model("pledges", "Pledge").objects.get(reference="GRF23-00005").thematic_areas.add(
            area
        )
        link.objects.create(source=other_link, target=tagged, kind="matches")
        link.objects.create(source=bystander, target=other_link, kind="contributes_to")

        new = journey.migrate(PARTNERSHIPS_AFTER)
        # The links to tagged pledges are gone; others stay, until pledges 0020 (below).
        kinds = set(
            new.get_model("pledges", "PledgeLink").objects.values_list("source__reference", "kind")
        )
        assert kinds == {("GRF23-00004", "matches"), ("GRF23-00003", "contributes_to")}

        new = journey.migrate(LINK_KINDS_AFTER)

        # pledges 0020: a link of a kind that no longer exists has no home left; its removal is
        # in the source pledge's audit trail, naming what it pointed to.
        assert not new.get_model("pledges", "PledgeLink").objects.exists()
        removed = new.get_model("core", "AuditEntry").objects.get(
            action="pledges.link.removed", object_id=str(bystander.pk)
        )
        assert removed.data == {"target": "GRF23-00004", "kind": "contributes_to"}
        assert "multistakeholder pledge" in removed.reason

        msp = new.get_model("partnerships", "MultistakeholderPledge").objects.get(
            slug="climate-action"
        )
        assert msp.is_reference
        assert msp.title_fr == "Action climatique"
        assert msp.forum.code == "GRF23"
        assert msp.progress_stale_since is not None
        members = {m.pledge.reference: m for m in msp.memberships.select_related("pledge")}
        assert set(members) == {"GRF23-00001", "GRF23-00002", "GRF23-00005"}
        history = new.get_model("partnerships", "HistoricalMultistakeholderMembership")
        for membership in members.values():
            assert membership.state == MembershipState.ACCEPTED
            assert membership.origin == MembershipOrigin.MIGRATION
            assert membership.decided_at is not None
            version = history.objects.get(id=membership.pk)  # `membership.history.get()`
            assert version.history_change_reason.startswith("Moved by migration")
        assert members["GRF23-00002"].message == "Contributed to GRF23-00001"
        # The area is gone, education stays.
        tagged_now = new.get_model("pledges", "Pledge").objects.get(reference="GRF23-00001")
        assert list(tagged_now.thematic_areas.values_list("slug", flat=True)) == ["education"]
        assert not new.get_model("compacts", "ThematicArea").objects.filter(slug="climate-action")


# matching 0002: the old `matches` links become accepted matches decided by "migration", and the
# links are gone; other kinds of link stay.

MATCHING_BEFORE = [("matching", "0001_initial")]
MATCHING_AFTER = [("matching", "0002_matches_from_links")]
MADE = dt.datetime(2023, 12, 14, 12, tzinfo=dt.UTC)


def test_matches_links_become_accepted_matches(journey: Journey) -> None:
    with journey.trial(MATCHING_BEFORE) as old:
        forum = _grf23(old, _compact(old))
        donor, host, other = (
            _pledge(
                old,
                forum,
                _entity(old, f"Entity {number}"),
                f"GRF23-{number:05d}",
                review_state="published",
                published_at=PUBLISHED_AT,
            )
            for number in (1, 2, 3)
        )
        link = old.get_model("pledges", "PledgeLink")
        link.objects.create(source=donor, target=host, kind="matches")
        link.objects.filter(source=donor).update(created_at=MADE)
        link.objects.create(source=other, target=host, kind="contributes_to")

        new = journey.migrate(MATCHING_AFTER)

        match_model = new.get_model("matching", "Match")
        match = match_model.objects.get()
        assert (match.seeking_id, match.offering_id, match.state) == (
            host.pk,
            donor.pk,
            MatchState.ACCEPTED,
        )
        assert (match.seeking_decision, match.offering_decision) == (Decision.ACCEPTED,) * 2
        assert (match.seeking_decided_at, match.offering_decided_at) == (MADE, MADE)
        assert match.seeking_decided_by is None
        assert match.note == "migration"
        assert "migration" in match.seeking_message
        link = new.get_model("pledges", "PledgeLink")
        assert list(link.objects.values_list("kind", flat=True)) == ["contributes_to"]
        # Both published: shown on both pages (`Match.objects.public()`).
        assert match_model.objects.filter(public_match_q()).get() == match

        old = journey.migrate(MATCHING_BEFORE)  # and back

        assert not old.get_model("matching", "Match").objects.exists()
        link = old.get_model("pledges", "PledgeLink")
        assert link.objects.filter(source=donor.pk, target=host.pk, kind="matches").exists()


# goals 0002 moved the forums' bare participation columns into official figures (and forums 0004
# dropped the columns): the numbers survive, with the source where it is known.

GOALS_BEFORE = [("forums", "0003_forum_places_in_six_languages"), ("goals", "0001_initial")]
GOALS_AFTER = [("forums", "0004_goals_participation_to_official_figures")]


def test_participation_columns_become_official_figures_with_their_source(
    journey: Journey,
) -> None:
    with journey.trial(GOALS_BEFORE) as old:
        gcr = _compact(old)
        _grf23(old, gcr, participants=4200, online_participants=10000, countries_represented=168)
        old.get_model("forums", "Forum").objects.create(
            kind="imrf",
            code="IMRF22",
            name="International Migration Review Forum 2022",
            year=2022,
            compact=_compact(old, "GCM"),
            participants=1500,
            online_participants=None,
        )

        new = journey.migrate(GOALS_AFTER)

        official_figure = new.get_model("goals", "OfficialFigure")
        grf23 = {f.legacy_field: f for f in official_figure.objects.filter(forum__code="GRF23")}
        assert grf23["participants"].value == Decimal("4200")
        assert grf23["participants"].qualifier == "more than"
        assert grf23["countries_represented"].label == "Government delegations"
        assert "co-hosts-and-co-convenors" in grf23["online_participants"].source
        imrf = official_figure.objects.get(forum__code="IMRF22")
        assert (imrf.label, imrf.value, imrf.source) == (
            "Participants in person",
            Decimal("1500"),
            "Forum record (source not recorded)",
        )
        connection = connections[ALIAS]
        with connection.cursor() as cursor:
            columns = [
                c.name
                for c in connection.introspection.get_table_description(cursor, "forums_forum")
            ]
        assert "participants" not in columns


# pledges 0021 on real data: existing pledges keep their forum, and every existing progress
# update is attributed to its pledge's entity.

ROUNDS_BEFORE = [
    ("pledges", "0020_link_kinds_moved_to_matches_and_memberships"),
    ("forums", "0004_goals_participation_to_official_figures"),
]
ROUNDS_AFTER = [("pledges", "0021_rounds_reaffirmations_co_pledger_updates")]


def test_updates_are_attributed_to_the_pledge_s_entity_and_forums_are_kept(
    journey: Journey,
) -> None:
    with journey.trial(ROUNDS_BEFORE) as old:
        forum = _grf23(old, _compact(old))
        entity = _entity(old, name_skeleton="old", cased_name_skeleton="Old")
        pledge = _pledge(old, forum, entity, "GRF23-09999", title="Old pledge")
        old.get_model("pledges", "PledgeUpdate").objects.create(
            pledge=pledge, status="planning", narrative="Old news", reported_on=dt.date(2024, 1, 1)
        )

        new = journey.migrate(ROUNDS_AFTER)

        kept = new.get_model("pledges", "Pledge").objects.get(reference="GRF23-09999")
        assert kept.forum is not None
        assert kept.forum.code == "GRF23"
        update = new.get_model("pledges", "PledgeUpdate").objects.get(pledge=kept)
        assert update.entity_id == kept.entity_id
        assert update.round is None


# pledges 0022 on real data: NGOs split into local/national (`ngo`, kept) and international
# (`ngo_international`): an NGO entity without a country becomes international, one with a
# country stays local/national; the shipped name and positions move forward, a secretariat's
# edits do not.

NGO_SPLIT_BEFORE = [("pledges", "0021_rounds_reaffirmations_co_pledger_updates")]
NGO_SPLIT_AFTER = [("pledges", "0022_entity_type_sources_and_ngo_split")]


def _old_world(apps: StateApps, *, ngo_name: str) -> None:
    """The types as shipped before issue 18: no international NGOs, NGOs fourth."""
    types = apps.get_model("pledges", "EntityType")
    ngo = types.objects.create(code="ngo", position=4, name=ngo_name, name_en=ngo_name)
    types.objects.create(code="refugee_led", position=5, name="Refugee-led organisation")
    types.objects.create(code="other", position=99, name="Other")  # the secretariat moved it
    apps.get_model("core", "Country").objects.create(code="KE", iso3="KEN", name="Kenya")
    for name, country in (("Kenya Refugee Aid", "KE"), ("Borderless Relief", None)):
        apps.get_model("pledges", "Entity").objects.create(
            name=name,
            entity_type=ngo,
            country_id=country,
            name_skeleton=name.lower(),
            cased_name_skeleton=name,
        )


def test_ngos_without_a_country_become_international_and_shipped_values_move_forward(
    journey: Journey,
) -> None:
    with journey.trial(NGO_SPLIT_BEFORE) as old:
        _old_world(old, ngo_name="NGO / civil society")
        old.get_model("compacts", "Objective").objects.create(
            compact=_compact(old),
            number=1,
            title="Ease pressures on host countries",
            short_label="Ease pressures",
            progress_stale_since=None,
        )

        new = journey.migrate(NGO_SPLIT_AFTER)

        entity = new.get_model("pledges", "Entity")
        national = entity.objects.get(name="Kenya Refugee Aid")
        international = entity.objects.get(name="Borderless Relief")
        assert national.entity_type.code == "ngo"
        assert international.entity_type.code == "ngo_international"
        assert international.entity_type.name == "International NGO"
        assert international.entity_type.name_fr == "ONG internationale"
        assert "GCR ¶33" in international.entity_type.source
        entity_type = new.get_model("pledges", "EntityType")
        ngo = entity_type.objects.get(code="ngo")
        assert ngo.name == "Local or national NGO / civil society"
        assert ngo.name_es == "ONG local o nacional / sociedad civil"
        positions = dict(entity_type.objects.values_list("code", "position"))
        assert (positions["ngo"], positions["ngo_international"], positions["refugee_led"]) == (
            5,
            6,
            7,
        )
        assert positions["other"] == 99  # the secretariat's order is kept
        # Progress is sliced by entity type: it is recomputed.
        objective = new.get_model("compacts", "Objective")
        assert objective.objects.exists()
        assert not objective.objects.filter(progress_stale_since__isnull=True).exists()


def test_a_name_the_secretariat_gave_the_ngo_type_is_kept_when_migrating(
    journey: Journey,
) -> None:
    with journey.trial(NGO_SPLIT_BEFORE) as old:
        _old_world(old, ngo_name="Civil society organisation")

        new = journey.migrate(NGO_SPLIT_AFTER)

        assert new.get_model("pledges", "EntityType").objects.get(code="ngo").name == (
            "Civil society organisation"
        )
        relief = new.get_model("pledges", "Entity").objects.get(name="Borderless Relief")
        assert relief.entity_type.code == "ngo_international"


def test_migrating_back_returns_international_ngos_to_the_ngo_type(journey: Journey) -> None:
    with journey.trial(NGO_SPLIT_BEFORE) as old:
        _old_world(old, ngo_name="NGO / civil society")
        journey.migrate(NGO_SPLIT_AFTER)

        old = journey.migrate(NGO_SPLIT_BEFORE)

        entity = old.get_model("pledges", "Entity").objects.get(name="Borderless Relief")
        assert entity.entity_type.code == "ngo"


# indicators 0008 moved indicators into framework editions and values into report editions:
# existing indicators keep their figures, a value whose source names an indicator report belongs
# to that report, and every other value (generated demo values included) keeps no report.

EDITIONS_BEFORE = [("indicators", "0007_msp_progress_snapshot")]
EDITIONS_AFTER = [("indicators", "0008_framework_and_report_editions")]


def _objective(apps: StateApps) -> Any:
    return apps.get_model("compacts", "Objective").objects.create(
        compact=_compact(apps), number=3, title="Expand third-country solutions", short_label="3"
    )


def test_indicators_join_their_edition_and_values_the_report_their_source_names(
    journey: Journey,
) -> None:
    with journey.trial(EDITIONS_BEFORE) as old:
        objective = _objective(old)
        old_indicator = old.get_model("indicators", "Indicator")
        old_value = old.get_model("indicators", "IndicatorValue")

        def indicator(code: str, framework_version: str) -> Any:
            return old_indicator.objects.create(
                compact_id=objective.compact_id,
                objective=objective,
                code=code,
                title=f"Indicator {code}",
                unit="persons",
                framework_version=framework_version,
            )

        resettled = indicator("3.1.1", "2022")
        older = indicator("3.9.1", "2019")  # an indicator of the 2019 framework
        draft = indicator("3.9.2", "draft")
        for year, source in [
            (2022, "UNHCR, GCR Indicator Report 2023, p. 41"),
            (2021, DEMO_SOURCE),
            (2020, "Secretariat estimate"),
        ]:
            old_value.objects.create(
                indicator=resettled, year=year, value=Decimal(year), source=source
            )
        old_value.objects.create(
            indicator=older,
            year=2019,
            value=Decimal(7),
            source="Global Compact on Refugees Indicator Report 2021",
        )

        new = journey.migrate(EDITIONS_AFTER)

        indicator_model = new.get_model("indicators", "Indicator")
        value_model = new.get_model("indicators", "IndicatorValue")
        resettled_now = indicator_model.objects.select_related("edition").get(pk=resettled.pk)
        assert resettled_now.edition.slug == "gcr-2022"
        assert indicator_model.objects.get(pk=older.pk).edition.slug == "gcr-2019"
        assert indicator_model.objects.get(pk=draft.pk).edition is None  # not a year
        reports = dict(
            value_model.objects.filter(indicator_id=resettled.pk).values_list(
                "year", "report__year"
            )
        )
        assert reports == {2022: 2023, 2021: None, 2020: None}
        demo = value_model.objects.get(indicator_id=resettled.pk, year=2021)
        assert demo.source == DEMO_SOURCE  # still labelled as generated
        older_value = value_model.objects.get(indicator_id=older.pk)
        assert older_value.report.framework.slug == "gcr-2019"


def test_going_back_keeps_the_value_progress_used(journey: Journey) -> None:
    with journey.trial(EDITIONS_BEFORE) as old:
        objective = _objective(old)
        new = journey.migrate(EDITIONS_AFTER)
        edition = new.get_model("indicators", "FrameworkEdition").objects.create(
            compact_id=objective.compact_id, slug="gcr-2022", title="GCR 2022", year=2022
        )
        resettled = new.get_model("indicators", "Indicator").objects.create(
            compact_id=objective.compact_id,
            objective_id=objective.pk,
            edition=edition,
            code="3.1.1",
            title="Resettled refugees",
            unit="persons",
        )
        for year, amount in [(2023, "114300"), (2025, "116500")]:
            new.get_model("indicators", "IndicatorValue").objects.create(
                indicator=resettled,
                year=2022,
                value=Decimal(amount),
                report=new.get_model("indicators", "ReportEdition").objects.create(
                    framework=edition, year=year, title=f"Indicator Report {year}"
                ),
                source=f"GCR Indicator Report {year}",
            )

        old = journey.migrate(EDITIONS_BEFORE)
        kept = old.get_model("indicators", "IndicatorValue").objects.filter(
            indicator_id=resettled.pk
        )
        assert list(kept.values_list("value", flat=True)) == [Decimal("116500")]

        new = journey.migrate(EDITIONS_AFTER)
        value = new.get_model("indicators", "IndicatorValue").objects.get(indicator=resettled.pk)
        assert value.report.year == 2025


# pledges 0032 on real data: the stored document keeps the pledge's own text only, and the
# search, which reads it followed by the stored context, still finds the pledge by either.

SEARCH_CONTEXT_BEFORE = [("pledges", "0031_database_defaults")]
SEARCH_CONTEXT_AFTER = [("pledges", "0032_search_context_stored_once")]


def _matches(reference: str, document_sql: str, word: str) -> bool:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(
            f"SELECT ({document_sql}) @@ to_tsquery('simple', %s) "  # noqa: S608 (constants)
            "FROM pledges_pledge WHERE reference = %s",
            [word, reference],
        )
        return bool(cursor.fetchone()[0])


def test_the_context_leaves_the_stored_document_and_is_still_searched(journey: Journey) -> None:
    with journey.trial(SEARCH_CONTEXT_BEFORE) as old:
        forum = _grf23(old, _compact(old))
        entity = _entity(old, name_skeleton="old", cased_name_skeleton="Old")
        _pledge(old, forum, entity, "GRF23-09999", title="Classrooms")
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(
                "UPDATE pledges_pledge SET context_search_vector = to_tsvector('simple', 'jordan')"
            )
        assert _matches("GRF23-09999", "search_document", "jordan")

        journey.migrate(SEARCH_CONTEXT_AFTER)

        assert not _matches("GRF23-09999", "search_document", "jordan")
        searched = "search_document || context_search_vector"
        assert _matches("GRF23-09999", searched, "jordan")
        assert _matches("GRF23-09999", searched, "classroom")  # the title, stemmed

        journey.migrate(SEARCH_CONTEXT_BEFORE)  # and back

        assert _matches("GRF23-09999", "search_document", "jordan")
