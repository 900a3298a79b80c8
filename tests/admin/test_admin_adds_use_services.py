"""What the admin adds goes through the same services as the web and the API (issue 14, item
7): a pledge added in the admin is create_pledge's (reference, validation, audit entry,
history); a member added in the entity page's inline is add_member's (audit entry, e-mail);
the targets inline says what the services say, never "Constraint … is violated"; an edit the
service refuses is a form error, never a 500; co-pledgers cannot be added in the admin (an
unverified entity would bypass invite_participant). Posted as a browser posts the forms."""

from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from compacts.models import Objective
from core.audit import entries_for
from core.models import Country
from forums.models import Forum
from pledges.models import (
    Entity,
    Membership,
    MembershipStatus,
    ParticipantStatus,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    ReviewState,
)
from pledges.services import PledgeInput, update_pledge
from tests.admin import test_admin_edits_use_services as edits
from tests.factories import EntityFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

# The edit tests' fixtures (a published pledge of entity A) and helpers.
make_input, published = edits.make_input, edits.published
change_url, posted = edits.change_url, edits.posted

ADD = reverse("admin:pledges_pledge_add")


def errors(response: Any) -> str:
    return response.context and str(response.context.get("errors"))


# --------------------------------------------------------------------------------------------
# (a) Adding a pledge
# --------------------------------------------------------------------------------------------


def test_a_pledge_added_in_the_admin_is_created_by_the_pledge_service(
    admin_client: Client, reference_data: None, entity_a: Entity, site_admin: User
) -> None:
    page = admin_client.get(ADD)
    forum = Forum.objects.get(code="GRF23")
    data = posted(
        page,
        title="  Schools for refugee children ",
        description="Enrol refugee children in national schools.",
        compact=forum.compact_id,
        forum=forum.pk,
        entity=entity_a.pk,
        objectives=[Objective.objects.get(compact=forum.compact, number=2).pk],
        beneficiary_countries=[Country.objects.get(code="KE").pk],
        geography_scope="national",
        **{
            "targets-TOTAL_FORMS": "1",
            "targets-0-metric": "Children enrolled",
            "targets-0-unit": "persons",
            "targets-0-target_value": "500",
        },
    )

    response = admin_client.post(ADD, data)

    assert response.status_code == 302, errors(response)
    pledge = Pledge.objects.get(title="Schools for refugee children")
    assert pledge.reference == "GRF23-00001"
    assert pledge.review_state == ReviewState.DRAFT
    assert [e.action for e in entries_for(pledge)] == ["pledges.pledge.created"]
    assert entries_for(pledge).get().actor == site_admin
    assert pledge.history.latest().history_change_reason == "Created"
    assert [t.metric for t in pledge.targets.all()] == ["Children enrolled"]


def test_a_pledge_added_in_the_admin_is_refused_with_the_services_messages(
    admin_client: Client, reference_data: None, entity_a: Entity
) -> None:
    page = admin_client.get(ADD)
    forum = Forum.objects.get(code="GRF23")
    data = posted(
        page,
        title="Schools",
        description="Enrol refugee children in national schools.",
        objectives=[Objective.objects.get(compact=forum.compact, number=2).pk],
        compact=forum.compact_id,
        forum=forum.pk,
        entity=entity_a.pk,
        geography_scope="national",
        start_date="0001-01-01",
    )

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    assert "Enter a date between 2000-01-01 and 2100-12-31." in response.content.decode()
    assert not Pledge.objects.exists()


# --------------------------------------------------------------------------------------------
# (c) The targets inline speaks the services' language
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        ("persons", "-5", "Target values cannot be negative."),
        ("percent", "150", "A percentage target cannot exceed 100."),
    ],
)
def test_the_targets_inline_reports_the_services_messages_not_constraint_names(
    admin_client: Client, published: Pledge, unit: str, value: str, message: str
) -> None:
    page = admin_client.get(change_url(published))

    response = admin_client.post(
        change_url(published),
        posted(page, **{"targets-0-unit": unit, "targets-0-target_value": value}),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "is violated" not in content
    assert [t.target_value for t in published.targets.all()] == [10]


# --------------------------------------------------------------------------------------------
# (d) An edit the service refuses is a form error
# --------------------------------------------------------------------------------------------


def test_a_withdrawn_pledge_edited_in_the_admin_is_a_form_error(
    admin_client: Client, published: Pledge
) -> None:
    page = admin_client.get(change_url(published))
    Pledge.objects.filter(pk=published.pk).update(review_state=ReviewState.WITHDRAWN)

    response = admin_client.post(change_url(published), posted(page, title="Renamed"))

    assert response.status_code == 200
    assert "You cannot edit this pledge now." in response.content.decode()
    assert Pledge.objects.get(pk=published.pk).title == published.title


def test_an_edit_refused_by_the_service_while_saving_changes_nothing_and_says_why(
    admin_client: Client, published: Pledge
) -> None:
    """The pledge changed between the form's checks and the service's lock (another reviewer):
    a message and the form again, not a 500; nothing of the edit is kept."""
    page = admin_client.get(change_url(published))
    refusal = ValidationError({"description": ["Describe the pledge."]})

    with mock.patch("pledges.services.update_pledge", side_effect=refusal):
        response = admin_client.post(
            change_url(published), posted(page, title="Renamed", announced_on="2024-01-02")
        )

    assert response.status_code == 302
    assert response["Location"] == change_url(published)
    shown = admin_client.get(response["Location"]).content.decode()
    assert "Describe the pledge." in shown
    assert "was changed successfully" not in shown
    fresh = Pledge.objects.get(pk=published.pk)
    assert (fresh.title, fresh.announced_on) == (published.title, published.announced_on)


def test_an_edit_saved_over_somebody_elses_newer_one_is_refused_with_nothing_saved(
    admin_client: Client, published: Pledge, secretariat: User
) -> None:
    page = admin_client.get(change_url(published))
    assert f'name="loaded_version" value="{published.version}"' in page.content.decode()
    meanwhile = PledgeInput.from_pledge(published)
    meanwhile.title = "Their correction"
    update_pledge(pledge=published, data=meanwhile, by=secretariat)

    response = admin_client.post(change_url(published), posted(page, title="My correction"))

    assert response.status_code == 302
    assert response["Location"] == change_url(published)
    shown = admin_client.get(response["Location"]).content.decode()
    assert "Somebody else changed this pledge while you were editing it." in shown
    assert Pledge.objects.get(pk=published.pk).title == "Their correction"


# --------------------------------------------------------------------------------------------
# (e) Co-pledgers are managed on the pledge page
# --------------------------------------------------------------------------------------------


def test_an_unverified_entity_cannot_be_added_as_co_pledger_in_the_admin(
    admin_client: Client, published: Pledge
) -> None:
    impostor = EntityFactory(name="Government of France", is_verified=False, verified_at=None)
    page = admin_client.get(change_url(published))
    data = posted(
        page,
        **{
            "participants-TOTAL_FORMS": "1",
            "participants-0-entity": str(impostor.pk),
            "participants-0-role": "co_pledger",
            "participants-0-status": ParticipantStatus.ACCEPTED,
        },
    )

    admin_client.post(change_url(published), data)
    standalone = admin_client.post(
        reverse("admin:pledges_pledgeparticipant_add"),
        {"pledge": published.pk, "entity": impostor.pk, "role": "co_pledger", "status": "accepted"},
    )

    assert standalone.status_code == 403
    assert not PledgeParticipant.objects.filter(entity=impostor).exists()
    assert "managed on the pledge page" in admin_client.get(change_url(published)).content.decode()


@pytest.fixture
def other(published: Pledge, entity_a: Entity) -> Pledge:
    """A second published pledge of entity A, in the same forum and objectives, to link to."""
    return PledgeFactory(
        reference="GRF23-09999",
        forum=published.forum,
        entity=entity_a,
        review_state=ReviewState.PUBLISHED,
        objectives=list(published.objectives.all()),
    )


def test_links_cannot_be_added_in_the_admin_where_no_link_service_would_record_them(
    admin_client: Client, published: Pledge, other: Pledge
) -> None:
    """A link changes what partners sync (the source's version) and leaves an audit entry: the
    link services on the pledge page do both, so the admin shows links without editing them."""
    page = admin_client.get(change_url(published))
    data = posted(
        page,
        **{
            "links_out-TOTAL_FORMS": "1",
            "links_out-0-kind": "supersedes",
            "links_out-0-target": str(other.pk),
        },
    )

    admin_client.post(change_url(published), data)
    standalone = admin_client.post(
        reverse("admin:pledges_pledgelink_add"),
        {"source": published.pk, "target": other.pk, "kind": "supersedes"},
    )

    assert standalone.status_code == 403
    assert not published.links_out.exists()
    assert "managed on the pledge page" in admin_client.get(change_url(published)).content.decode()


def test_a_link_deleted_on_its_admin_page_goes_through_the_link_service_and_pledges_still_delete(
    admin_client: Client, published: Pledge, other: Pledge
) -> None:
    link = PledgeLink.objects.create(source=published, target=other, kind="supersedes")
    version = published.version

    admin_client.post(reverse("admin:pledges_pledgelink_delete", args=[link.pk]), {"post": "yes"})

    published.refresh_from_db()
    assert not PledgeLink.objects.exists()
    assert published.version == version + 1  # partners' sync sees it
    assert entries_for(published).first().action == "pledges.link.removed"

    PledgeLink.objects.create(source=published, target=other, kind="supersedes")
    deleted = admin_client.post(
        reverse("admin:pledges_pledge_changelist"),
        {"action": "delete_selected", "_selected_action": [str(other.pk)], "post": "yes"},
    )
    assert deleted.status_code == 302
    assert not Pledge.objects.filter(pk=other.pk).exists()


def test_a_link_of_a_closed_pledge_is_not_deleted_on_its_admin_page_and_the_admin_says_why(
    admin_client: Client, published: Pledge, other: Pledge
) -> None:
    link = PledgeLink.objects.create(source=published, target=other, kind="supersedes")
    Pledge.objects.filter(pk=published.pk).update(review_state=ReviewState.WITHDRAWN)

    response = admin_client.post(
        reverse("admin:pledges_pledgelink_delete", args=[link.pk]), {"post": "yes"}, follow=True
    )

    assert PledgeLink.objects.filter(pk=link.pk).exists()
    assert "This pledge is closed." in response.content.decode()


# --------------------------------------------------------------------------------------------
# (b) Members added in the entity inline; (f) declining
# --------------------------------------------------------------------------------------------


def entity_url(entity: Entity) -> str:
    return reverse("admin:pledges_entity_change", args=[entity.pk])


def test_a_member_added_in_the_entity_inline_goes_through_the_membership_service(
    admin_client: Client,
    entity_a: Entity,
    site_admin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    newcomer = UserFactory(email="newcomer@example.org")
    page = admin_client.get(entity_url(entity_a))
    row = page.context["inline_admin_formsets"][0].formset.total_form_count()
    assert page.context["inline_admin_formsets"][0].formset.empty_form.initial["status"] == (
        MembershipStatus.ACTIVE
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            entity_url(entity_a),
            posted(
                page,
                **{
                    "memberships-TOTAL_FORMS": str(row + 1),
                    f"memberships-{row}-user": str(newcomer.pk),
                    f"memberships-{row}-role": "editor",
                    f"memberships-{row}-status": MembershipStatus.ACTIVE,
                },
            ),
        )

    assert response.status_code == 302, errors(response)
    membership = Membership.objects.get(user=newcomer, entity=entity_a)
    assert membership.status == MembershipStatus.ACTIVE
    assert [(e.action, e.actor) for e in entries_for(membership)] == [
        ("pledges.membership.added", site_admin)
    ]
    assert [m.to for m in mail.outbox] == [["newcomer@example.org"]]


def test_a_member_added_in_the_inline_is_active_at_once(
    admin_client: Client, entity_a: Entity
) -> None:
    newcomer = UserFactory(email="newcomer@example.org")
    page = admin_client.get(entity_url(entity_a))
    row = page.context["inline_admin_formsets"][0].formset.total_form_count()

    response = admin_client.post(
        entity_url(entity_a),
        posted(
            page,
            **{
                "memberships-TOTAL_FORMS": str(row + 1),
                f"memberships-{row}-user": str(newcomer.pk),
                f"memberships-{row}-role": "editor",
                f"memberships-{row}-status": MembershipStatus.PENDING,
            },
        ),
    )

    assert response.status_code == 200
    assert "A member added here acts for the entity at once" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_the_entity_admin_shows_a_decline_and_where_to_decline(
    admin_client: Client,
) -> None:
    declined = EntityFactory(name="Government of Frânce", is_verified=False, verified_at=None)
    Entity.objects.filter(pk=declined.pk).update(
        declined_at="2025-01-02T10:00:00Z", decline_reason="An impostor of France."
    )

    content = admin_client.get(entity_url(declined)).content.decode()

    assert "An impostor of France." in content
    assert "entity queue" in content


def test_a_membership_added_on_the_memberships_page_goes_through_the_membership_service(
    admin_client: Client,
    entity_a: Entity,
    site_admin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    newcomer = UserFactory(email="newcomer@example.org")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:pledges_membership_add"),
            {"user": newcomer.pk, "entity": entity_a.pk, "role": "editor"},
        )

    assert response.status_code == 302, errors(response)
    membership = Membership.objects.get(user=newcomer, entity=entity_a)
    assert membership.status == MembershipStatus.ACTIVE
    assert [(e.action, e.actor) for e in entries_for(membership)] == [
        ("pledges.membership.added", site_admin)
    ]
    assert [m.to for m in mail.outbox] == [["newcomer@example.org"]]
