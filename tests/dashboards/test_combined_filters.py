"""Combined dashboard filters (issue 22, item 7): any combination of forum, region, country,
entity type, objective, multistakeholder pledge and type of support, computed from the stored
per-pledge facts, with the snapshots' figures for single slices."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from compacts.models import Compact, Objective
from indicators.combined import FactFilter, combined, plan
from indicators.models import CompactProgressSnapshot, ProgressSnapshot, SliceKind
from pledges.models import Pledge

from .conftest import FIRST, chart_table
from .test_dashboard_page import headline

pytestmark = pytest.mark.django_db

# What a combination computes: every figure of a snapshot but the objective-only ones
# (indicators and the composite that mixes them in).
COMPARED = ("pledges", "status", "overdue", "implementation_score", "money", "targets")


def same(figures: dict[str, Any]) -> dict[str, Any]:
    return {key: figures[key] for key in COMPARED}


def test_single_slices_computed_from_facts_equal_the_snapshots(world: None) -> None:
    gcr = Compact.objects.get(code="GCR")
    snapshots = {
        (row.slice_kind, row.slice_key): row.figures
        for row in CompactProgressSnapshot.objects.filter(compact=gcr, date=FIRST)
    }
    assert len(snapshots) > 8
    filters = {
        SliceKind.OVERALL: lambda key: FactFilter(gcr.pk),
        SliceKind.FORUM: lambda key: FactFilter(gcr.pk, forum=key),
        SliceKind.REGION: lambda key: FactFilter(gcr.pk, region=key),
        SliceKind.ENTITY_TYPE: lambda key: FactFilter(gcr.pk, entity_type=key),
        SliceKind.COUNTRY: lambda key: FactFilter(gcr.pk, country=key),
    }
    # Both ways: from the stored filter sums (and, for a country, the facts), and from the facts.
    for use_sums in (True, False):
        for (kind, key), figures in snapshots.items():
            found = combined(filters[kind](key), on=FIRST, use_sums=use_sums).headline
            assert found is not None, (kind, key)
            assert same(found) == same(figures), (kind, key, use_sums)
        # An objective alone: its overall snapshot.
        objective = Objective.objects.get(compact=gcr, number=2)
        snapshot = ProgressSnapshot.objects.get(
            objective=objective, slice_kind="overall", date=FIRST
        )
        flt = FactFilter(gcr.pk, objective_id=objective.pk)
        found = combined(flt, on=FIRST, use_sums=use_sums).headline
        assert found is not None
        assert same(found) == same(snapshot.figures)
    assert plan(FactFilter(gcr.pk, forum="GRF23"), FIRST).facts == ()


def test_forum_and_region_combine_on_the_page_with_links_carrying_both(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/", {"forum": "GRF23", "region": "002"})

    assert response.status_code == 200
    assert "Some filters could not be applied" not in response.text
    # GRF23 has a pledge in Kenya and one in Jordan: Africa holds one of them.
    figures = headline(response)
    assert figures["Published pledges"] == "1"
    assert figures["Pledged (USD)"] == "1,000"
    assert "These filters are combined" in response.text
    status = chart_table(response, "status")
    link = next(url for row in status.rows for _text, url in row if url)
    assert "forum=GRF23" in link
    assert "region=002" in link
    # No history for a combination: no chart over time.
    assert 'id="chart-money"' not in response.text


def test_new_filters_combine_and_keep_their_values_in_the_form(client: Client, world: None) -> None:
    response = client.get(
        "/dashboard/", {"country": "KE", "entity_type": "state", "objective": "2"}
    )

    assert headline(response)["Published pledges"] == "1"  # GRF19-00001: KE and UG, objective 2
    for name, value in (("country", "KE"), ("entity_type", "state"), ("objective", "2")):
        select = re.search(rf'<select id="id_{name}".*?</select>', response.text, re.S)
        assert select is not None
        assert f'value="{value}" selected' in select.group(0)


def test_a_combination_with_an_earlier_year_is_refused_on_the_year(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/", {"forum": "GRF23", "region": "002", "year": "2024"})

    assert re.search(
        r'id="id_year_error">[^<]*computed from the latest figures only', response.text
    )
    csv = client.get("/dashboard/csv/status/?forum=GRF23&region=002&year=2024")
    assert csv.status_code == 400


def test_the_map_lists_every_country_with_a_link_to_its_pledges(
    client: Client, world: None
) -> None:
    dashboard = client.get("/dashboard/")
    table = chart_table(dashboard, "map")
    rows = {row[1][0]: row for row in table.rows}
    assert set(rows) == {"KE", "JO", "UG"}
    assert rows["KE"][2] == ("2", "/pledges/?compact=GCR&country=KE")
    assert 'data-map="chart-map-data"' in dashboard.text
    assert '"404": 2' in dashboard.text  # Kenya's ISO numeric code, the map's shape id

    browser = client.get("/pledges/")
    assert "Map of pledges by beneficiary country" in browser.text
    assert 'href="/pledges/?country=KE"' in browser.text
    assert "vendor/chartjs-chart-geo/index.umd.min.js" in browser.text


def test_the_support_type_filter_has_an_index_that_covers_it() -> None:
    # The pledge filters' semijoin on the type of support (pledges/filters.py) reads
    # (supporttype_id, pledge_id) only: in this order, an index-only read (indicators migration
    # 0010; at 1,000,000 pledges a read of the links' table cost a second; the combined
    # filters now test the facts' own types of support). The tests' tiny tables cannot show
    # the plan.
    table = Pledge.support_types.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        definitions = [row[0] for row in cursor.fetchall()]

    assert any(d.endswith("USING btree (supporttype_id, pledge_id)") for d in definitions)
