"""Edits made in the admin go through the same services as the web and the API: approving or
declining a membership in the entity page's inline, and changing a pledge's content, are
validated by the same rules, leave the same audit entry and send the same e-mails. Tested
through the real admin change forms, posted as a browser posts them."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.audit import entries_for
from pledges import search
from pledges.models import Entity, Membership, MembershipStatus, Pledge
from pledges.names import name_skeleton
from pledges.search_context import refresh_context_search
from pledges.services import PledgeInput, TargetInput, create_pledge, transition_pledge
from tests.factories import EntityFactory, PledgeFactory, UserFactory
from tests.pledges.conftest import make_input  # noqa: F401 -- the service tests' builder

pytestmark = pytest.mark.django_db


def posted(response: Any, **changes: Any) -> dict[str, Any]:
    """What the admin change page posts back unchanged (its form and every inline formset,
    management forms included), with `changes` typed in."""
    data: dict[str, Any] = {}

    def take(form: Any) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or field.disabled:
                continue
            if isinstance(value, list | tuple):
                value = [str(v) for v in value]
            elif isinstance(value, bool):
                if not value:
                    continue
                value = "on"
            data[form.add_prefix(name)] = value

    take(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        take(formset.management_form)
        for form in formset.forms:
            take(form)
    data.update(changes)
    return data


# --------------------------------------------------------------------------------------------
# Memberships in the entity page's inline
# --------------------------------------------------------------------------------------------


@pytest.fixture
def request_to_join(entity_a: Entity) -> Membership:
    return Membership.objects.create(
        user=UserFactory(email="asking@example.org"),
        entity=entity_a,
        status=MembershipStatus.PENDING,
    )


def membership_row(response: Any, membership: Membership) -> str:
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if form.instance.pk == membership.pk:
                return form.prefix
    raise AssertionError("the membership is not in the inline")


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (MembershipStatus.ACTIVE, "pledges.membership.active"),
        ("declined", "pledges.membership.declined"),
    ],
)
def test_deciding_a_request_in_the_entity_inline_goes_through_the_membership_service(
    admin_client: Client,
    request_to_join: Membership,
    status: str,
    action: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("admin:pledges_entity_change", args=[request_to_join.entity_id])
    page = admin_client.get(url)
    row = membership_row(page, request_to_join)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, posted(page, **{f"{row}-status": status}))

    assert response.status_code == 302, response.context and response.context["errors"]
    request_to_join.refresh_from_db()
    assert request_to_join.status == status
    assert [e.action for e in entries_for(request_to_join)] == [action]
    assert [m.to for m in mail.outbox] == [["asking@example.org"]]


def test_a_decided_request_cannot_be_flipped_in_the_inline(
    admin_client: Client, request_to_join: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    Membership.objects.filter(pk=request_to_join.pk).update(status=MembershipStatus.DECLINED)
    url = reverse("admin:pledges_entity_change", args=[request_to_join.entity_id])
    page = admin_client.get(url)
    row = membership_row(page, request_to_join)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, posted(page, **{f"{row}-status": "active"}))

    assert response.status_code == 200
    assert "Only a pending request can be approved or declined." in response.content.decode()
    request_to_join.refresh_from_db()
    assert request_to_join.status == MembershipStatus.DECLINED
    assert not entries_for(request_to_join).exists()
    assert mail.outbox == []


# --------------------------------------------------------------------------------------------
# The entity itself
# --------------------------------------------------------------------------------------------


def test_renaming_an_entity_in_the_admin_goes_through_the_entity_service(
    admin_client: Client, entity_a: Entity, django_capture_on_commit_callbacks: Any
) -> None:
    pledge = PledgeFactory(entity=entity_a, review_state="published")
    refresh_context_search([pledge.pk])
    version = Pledge.objects.get(pk=pledge.pk).version
    url = reverse("admin:pledges_entity_change", args=[entity_a.pk])
    page = admin_client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, posted(page, name="Zanzibar Schools Trust"))

    assert response.status_code == 302, response.context and response.context["errors"]
    entity_a.refresh_from_db()
    assert entity_a.name_skeleton == name_skeleton("Zanzibar Schools Trust")
    assert [e.action for e in entries_for(entity_a)] == ["pledges.entity.updated"]
    # The pledge is found by the new name (its stored context) and changed for sync.
    found = search.filter_by_text(Pledge.objects.all(), "Zanzibar")
    assert list(found.values_list("pk", flat=True)) == [pledge.pk]
    assert Pledge.objects.get(pk=pledge.pk).version == version + 1


def test_an_admin_rename_to_a_look_alike_of_another_entity_is_refused_beside_the_name(
    admin_client: Client, entity_a: Entity
) -> None:
    EntityFactory(name="Kenya Red Cross")
    url = reverse("admin:pledges_entity_change", args=[entity_a.pk])
    page = admin_client.get(url)

    response = admin_client.post(url, posted(page, name="KENYA  Red Cross"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert not entries_for(entity_a).exists()


# --------------------------------------------------------------------------------------------
# Pledge content
# --------------------------------------------------------------------------------------------


@pytest.fixture
def published(
    make_input: Any,  # noqa: F811 -- the fixture imported above
    member_a: User,
    secretariat: User,
) -> Pledge:
    data: PledgeInput = make_input(
        targets=[TargetInput(metric="Children enrolled", unit="persons", target_value=10)]
    )
    pledge = create_pledge(data=data, by=member_a)
    transition_pledge(pledge=pledge, action="submit", by=member_a)
    return transition_pledge(pledge=pledge, action="publish", by=secretariat)


def change_url(pledge: Pledge) -> str:
    return reverse("admin:pledges_pledge_change", args=[pledge.pk])


def test_editing_a_pledge_in_the_admin_leaves_the_services_audit_entry_and_history(
    admin_client: Client, published: Pledge, site_admin: User
) -> None:
    page = admin_client.get(change_url(published))

    response = admin_client.post(change_url(published), posted(page, title="Corrected title"))

    assert response.status_code == 302, response.context and response.context["errors"]
    fresh = Pledge.objects.get(pk=published.pk)
    assert fresh.title == "Corrected title"
    assert fresh.version == published.version + 1
    assert entries_for(fresh).first().action == "pledges.pledge.updated"
    assert entries_for(fresh).first().actor == site_admin
    assert fresh.history.latest().history_change_reason == "Edited"
    assert fresh.targets.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"beneficiary_countries": []}, "Name at least one beneficiary country"),
        ({"description": "x" * 30_000}, "A description can be at most 20,000 characters"),
        ({"start_date": "0001-01-01"}, "Enter a date between 2000-01-01 and 2100-12-31."),
        ({"targets-0-due_date": "0001-06-01"}, "Enter a date between 2000-01-01 and 2100-12-31."),
    ],
    ids=["no country", "overlong description", "start in year 1", "target due in year 1"],
)
def test_a_published_pledge_edited_in_the_admin_keeps_the_completeness_rules(
    admin_client: Client, published: Pledge, changes: dict[str, Any], message: str
) -> None:
    page = admin_client.get(change_url(published))

    response = admin_client.post(change_url(published), posted(page, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    fresh = Pledge.objects.get(pk=published.pk)
    assert fresh.version == published.version
    assert fresh.beneficiary_countries.exists()
    assert [t.target_value for t in fresh.targets.all()] == [10]
    assert entries_for(fresh).first().action == "pledges.pledge.publish"
