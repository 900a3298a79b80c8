"""The pledge and progress-update admin pages as the secretariat uses them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from forums.models import Forum
from pledges.exceptions import StaleVersion
from pledges.models import Entity, Pledge, PledgeReferenceCounter
from pledges.services import PledgeInput, allocate_reference, update_pledge
from tests.admin.pledge_forms import pledge_change_data, pledge_form_data
from tests.factories import (
    CurrencyFactory,
    EntityFactory,
    ForumFactory,
    ObjectiveFactory,
    PledgeFactory,
    PledgeTargetFactory,
    PledgeUpdateFactory,
)

pytestmark = pytest.mark.django_db

PLEDGES = reverse("admin:pledges_pledge_changelist")


@pytest.mark.parametrize(
    "term", ["GRF23-00777", "grf23-00777", "Solar power for host schools", "Kakuma Solar"]
)
def test_pledge_is_found_when_searching_by_reference_title_or_entity(
    admin_client: Client, term: str
) -> None:
    wanted = PledgeFactory(
        reference="GRF23-00777",
        title="Solar power for host schools",
        entity=EntityFactory(name="Kakuma Solar Cooperative"),
    )
    other = PledgeFactory(reference="GRF23-00778", title="Teacher training")

    response = admin_client.get(PLEDGES, {"q": term})

    assert response.status_code == 200
    found = list(response.context["cl"].result_list)
    assert wanted in found
    assert other not in found


def test_pledge_changelist_runs_a_bounded_number_of_queries_when_listing_30_pledges(
    admin_client: Client, django_assert_max_num_queries
) -> None:
    forums = [
        ForumFactory(code=f"GRF{year}", name=f"GRF 20{year}", year=2000 + year)
        for year in (19, 23, 27)
    ]
    usd = CurrencyFactory()
    for i in range(30):
        PledgeFactory(
            forum=forums[i % 3],
            entity=EntityFactory(),
            amount=Decimal(100 * i) if i % 2 else None,
            currency=usd if i % 2 else None,
        )

    # Seven today: session, user, the compact, forum and entity-type filter options, the
    # filtered count and one page of rows. A per-row query would add thirty.
    with django_assert_max_num_queries(10):
        response = admin_client.get(PLEDGES)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 30


def test_pledge_changelist_does_not_count_the_whole_table_when_filtered(
    admin_client: Client,
) -> None:
    PledgeFactory(review_state="published")
    PledgeFactory(review_state="draft")

    response = admin_client.get(PLEDGES, {"review_state__exact": "published"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    # None tells the template to offer "Show all" instead of "1 of 2 selected".
    assert response.context["cl"].full_result_count is None


def test_reference_cannot_be_edited_when_pledge_exists(admin_client: Client) -> None:
    pledge = PledgeFactory(reference="GRF23-00042")

    response = admin_client.get(reverse("admin:pledges_pledge_change", args=[pledge.pk]))

    assert response.status_code == 200
    assert "reference" not in response.context["adminform"].form.fields
    assert b"GRF23-00042" in response.content


def test_reference_comes_from_the_forum_counter_when_pledge_is_added_in_admin(
    admin_client: Client,
) -> None:
    forum = ForumFactory(code="GRF23")
    PledgeReferenceCounter.objects.create(forum=forum, last_number=41)
    objective = ObjectiveFactory(compact=forum.compact, number=2)
    data = pledge_form_data(
        title="Schools for refugee children",
        description="Enrol refugee children in national schools.",
        compact=forum.compact_id,
        forum=forum.pk,
        entity=EntityFactory().pk,
        objectives=[objective.pk],
    )

    response = admin_client.post(reverse("admin:pledges_pledge_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge = Pledge.objects.get(title="Schools for refugee children")
    assert pledge.reference == "GRF23-00042"
    assert allocate_reference(forum) == "GRF23-00043"  # the partner's next pledge


def test_actual_offers_only_targets_of_its_pledge_when_editing_an_update(
    admin_client: Client,
) -> None:
    own = PledgeTargetFactory(metric="Places in schools")
    foreign = PledgeTargetFactory(metric="Resettlement places")
    update = PledgeUpdateFactory(pledge=own.pledge)

    response = admin_client.get(reverse("admin:pledges_pledgeupdate_change", args=[update.pk]))

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    offered = set(formset.empty_form.fields["target"].queryset)
    assert offered == {own}
    assert foreign not in offered


def test_actual_for_another_pledges_target_is_refused_when_saving_an_update(
    admin_client: Client,
) -> None:
    foreign = PledgeTargetFactory(metric="Resettlement places")
    update = PledgeUpdateFactory(reported_on=dt.date(2024, 6, 30))
    url = reverse("admin:pledges_pledgeupdate_change", args=[update.pk])
    data = {
        "pledge": update.pledge_id,
        "reported_on": "2024-06-30",
        "status": "in_progress",
        "narrative": "Work is under way.",
        "evidence_links": "[]",
        "review_state": "pending",
        "actuals-TOTAL_FORMS": "1",
        "actuals-INITIAL_FORMS": "0",
        "actuals-0-target": foreign.pk,
        "actuals-0-value": "5",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form comes back instead of redirecting
    assert response.context["adminform"].form.errors == {}
    assert "target" in response.context["inline_admin_formsets"][0].formset.errors[0]
    assert not update.actuals.exists()


def test_form_error_instead_of_crash_when_forum_ends_before_it_starts(
    admin_client: Client,
) -> None:
    compact = ForumFactory().compact
    data = {
        "compact": compact.pk,
        "kind": "grf",
        "code": "GRF31",
        "name": "Global Refugee Forum 2031",
        "year": "2031",
        "start_date": "2031-12-15",
        "end_date": "2031-12-13",
    }

    response = admin_client.post(reverse("admin:forums_forum_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Forum.objects.filter(code="GRF31").exists()


def test_history_names_the_admin_when_a_pledge_title_is_changed_in_admin(
    admin_client: Client, site_admin: User
) -> None:
    pledge = PledgeFactory(title="Old title")
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])

    response = admin_client.post(url, pledge_change_data(pledge, title="Schools for children"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge.refresh_from_db()
    assert pledge.title == "Schools for children"
    history = admin_client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk]))
    assert history.status_code == 200
    assert str(site_admin) in history.content.decode()
    assert pledge.history.latest().history_user == site_admin


def test_partners_stale_form_is_refused_when_admin_saved_the_pledge_meanwhile(
    admin_client: Client, member_a: User, entity_a: Entity
) -> None:
    pledge = PledgeFactory(entity=entity_a, title="Old title")
    version_the_partner_loaded = pledge.version
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    admin_client.post(url, pledge_change_data(pledge, title="Corrected by the secretariat"))
    partners_edit = PledgeInput.from_pledge(pledge)
    partners_edit.title = "Edited by the partner"

    with pytest.raises(StaleVersion):
        update_pledge(
            pledge=pledge,
            data=partners_edit,
            by=member_a,
            expected_version=version_the_partner_loaded,
        )

    pledge.refresh_from_db()
    assert pledge.title == "Corrected by the secretariat"
