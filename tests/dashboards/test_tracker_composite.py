"""Honest figures (issue 18, item 9): the composite score is the tracker's own measure. Wherever
it is shown it is called the tracker's composite and links to its definition on
`/about/figures/`; the compact's headline shows what is counted, never the composite; and
`TRACKER_COMPOSITE_SCORE = False` takes it off every page and CSV."""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from compacts.models import Compact
from indicators import engine
from partnerships.models import (
    MembershipState,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import Pledge
from tests.factories import PledgeTargetFactory

from .conftest import FIRST, chart_table, tables
from .test_dashboard_page import headline

pytestmark = pytest.mark.django_db

LABEL = "Tracker composite (not an official figure)"
DEFINITION = 'href="/about/figures/#composite"'


@pytest.fixture
def composite_off(settings: Any) -> None:
    settings.TRACKER_COMPOSITE_SCORE = False


@pytest.fixture
def msp_world(world: None, django_capture_on_commit_callbacks: Any) -> str:
    """An MSP whose one accepted member is the world's fulfilled NGO pledge; its slug."""
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    msp, _ = MultistakeholderPledge.objects.update_or_create(
        slug="resettlement",
        defaults={"title": "Resettlement", "compact": Compact.objects.get(code="GCR")},
    )
    MultistakeholderMembership.objects.create(
        msp=msp,
        pledge=Pledge.objects.get(entity__entity_type__code="ngo"),
        state=MembershipState.ACCEPTED,
        requested_at=now,
        decided_at=now,
    )
    with django_capture_on_commit_callbacks(execute=True):
        engine.recompute_msps([msp.pk], on=FIRST)
    return msp.slug


def cards(response: Any) -> list[str]:
    return response.content.decode().split('<li class="objective-card">')[1:]


def headline_section(response: Any) -> str:
    html = response.content.decode()
    return html[html.index('<section aria-labelledby="headline-heading"') :].split("</section>")[0]


def csv_text(response: Any) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.text


# --- the definition page ---------------------------------------------------------------------


def test_definition_page_says_what_is_official_and_defines_the_composite(
    client: Client, db: None
) -> None:
    response = client.get("/about/figures/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>What is official and what the tracker computes</h1>" in html
    assert '<section id="official"' in html
    assert '<section id="computed"' in html
    assert '<section id="composite"' in html
    assert "Neither UNHCR nor the UN Network on Migration publishes such a score" in html
    # The weights the engine uses, per component.
    rows = {row[0][0]: row[1][0] for row in tables(html)["composite-caption"].rows}
    assert rows == {
        "Implementation": "0.4",
        "Money (delivery)": "0.2",
        "Targets": "0.2",
        "Indicators": "0.2",
    }


@pytest.mark.parametrize("language", ["fr", "es", "ar", "ru", "zh-hans"])
def test_definition_page_renders_in_each_language(client: Client, db: None, language: str) -> None:
    response = client.get(f"/{language}/about/figures/")

    assert response.status_code == 200
    with translation.override(language):
        title = translation.gettext("What is official and what the tracker computes")
        heading = translation.gettext("The tracker's composite (not an official figure)")
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in response.text
    assert f"<h1>{title}</h1>" in response.text
    assert heading in response.text.replace("&#x27;", "'")
    # The links on that page stay in its language.
    assert f'href="/{language}/dashboard/method/#the-figures"' in response.text


def test_every_page_links_to_the_definition_page_in_its_footer(client: Client, db: None) -> None:
    footer = client.get("/pledges/").text.split('<footer class="site-footer">')[1]

    assert '<a href="/about/figures/">What is official and what the tracker computes</a>' in footer


# --- labelled wherever it appears -------------------------------------------------------------


def test_dashboard_cards_label_the_composite_after_the_counts_and_link_its_definition(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/")

    for card in cards(response):
        assert LABEL in card
        assert DEFINITION in card
        # Last on the card: after the pledges, the status mix and the money.
        assert card.index("Pledged (USD)") < card.index(LABEL)
    definition = client.get("/about/figures/")
    assert '<section id="composite"' in definition.text


def test_the_composite_chart_of_the_dashboard_is_labelled_with_its_definition(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/")

    table = chart_table(response, "objectives")
    assert table.caption.startswith("The tracker's composite (not an official figure)")
    block = response.text.split('id="chart-objectives-title"')[1].split("</section>")[0]
    assert "Tracker composite per objective over time" in block
    assert DEFINITION in block


def test_objective_page_shows_counts_first_then_the_labelled_composite(
    client: Client, world: None
) -> None:
    response = client.get("/dashboard/GCR/objectives/1/")
    html = response.content.decode()

    counted = html.index('<h2 id="counted-heading">What is counted</h2>')
    composite = html.index(LABEL)
    assert counted < composite
    assert DEFINITION in html[composite:]
    figures = headline(response)
    # Objective 1: the State's 1,000 USD in progress and the NGO's 500 USD fulfilled.
    assert figures["Published pledges"] == "2"
    assert figures["Pledged (USD)"] == "1,500"
    assert "In progress: " in html[counted:composite]
    assert "Fulfilled: " in html[counted:composite]
    # Its chart over time names the composite the same way.
    assert chart_table(response, "score").head[1] == LABEL


def test_msp_chart_labels_the_composite(client: Client, msp_world: str) -> None:
    response = client.get(f"/dashboard/multistakeholder-pledges/{msp_world}/")

    assert chart_table(response, "history").head[-1] == LABEL
    assert DEFINITION in response.text


# --- never the headline figure of a compact ---------------------------------------------------


def test_compact_headline_shows_what_is_counted_not_the_composite(
    client: Client, world: None, add_pledge: Callable[..., Pledge], recompute: Callable
) -> None:
    pledge = add_pledge(objectives=(1,), countries=("KE",), status="in_progress")
    PledgeTargetFactory(pledge=pledge, unit="places", target_value=100)
    recompute(FIRST)

    response = client.get("/dashboard/")
    section = headline_section(response)

    assert list(headline(response)) == [
        "Published pledges",
        "Pledged (USD)",
        "Disbursed (USD)",
        "Delivery (disbursed ÷ pledged)",
        "Overdue",
    ]
    assert "composite" not in section.lower()
    assert "<meter" not in section
    # The status mix, each linking to its pledges…
    mix = re.findall(r"<li>([^<:]+): <a href=\"([^\"]+)\">(\d+)</a></li>", section)
    assert [(label, n) for label, _url, n in mix] == [
        ("In progress", "2"),
        ("Fulfilled", "1"),
        ("No update yet", "1"),
    ]
    assert (
        "In progress",
        "/pledges/?compact=GCR&amp;implementation_status=in_progress",
        "2",
    ) in mix
    # …and the targets per unit.
    targets = tables(section)["headline-targets-caption"]
    assert targets.rows == [[("Places", None), ("0 of 1", None), ("—", None), ("—", None)]]


# --- turned off for a deployment --------------------------------------------------------------


def test_with_the_setting_off_no_page_shows_a_composite(
    client: Client, world: None, msp_world: str, composite_off: None
) -> None:
    pages = [
        "/dashboard/",
        "/dashboard/?forum=GRF23",
        "/dashboard/GCR/objectives/1/",
        f"/dashboard/multistakeholder-pledges/{msp_world}/",
        "/about/figures/",
        "/fr/dashboard/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "composite" not in response.text.lower(), url
        assert "<meter" not in response.text, url
    # The counts are still there, and so are the components of progress.
    assert headline(client.get("/dashboard/"))["Published pledges"] == "3"
    components = tables(client.get("/dashboard/GCR/objectives/1/").text)["components-caption"]
    assert components.head == ["Component", "Value", "How it is computed"]
    assert components.rows[0][1][0] == "75.0 %"


def test_with_the_setting_off_no_csv_has_a_composite(
    client: Client, world: None, msp_world: str, composite_off: None
) -> None:
    assert client.get("/dashboard/csv/objectives/").status_code == 404
    score = list(
        csv.reader(io.StringIO(csv_text(client.get("/dashboard/GCR/objectives/1/csv/score/"))))
    )
    assert score[0] == ["Date", "Implementation", "Money (delivery)", "Targets", "Indicators"]
    assert score[1][1] == "0.7500"
    history = csv_text(client.get(f"/dashboard/multistakeholder-pledges/{msp_world}/csv/history/"))
    assert history.splitlines()[0] == "Date,Pledges,Pledged (USD),Disbursed (USD)"


def test_with_the_setting_on_the_csvs_carry_the_labelled_composite(
    client: Client, world: None
) -> None:
    objectives = csv_text(client.get("/dashboard/csv/objectives/"))
    score = csv_text(client.get("/dashboard/GCR/objectives/1/csv/score/"))

    assert objectives.splitlines()[0].startswith("Date,1. ")
    assert score.splitlines()[0].startswith(f"Date,{LABEL},Implementation")
