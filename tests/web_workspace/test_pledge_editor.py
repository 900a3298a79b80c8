"""Creating and editing a pledge in one form: field errors from the service, drafts and
submission, stale saves, and who may edit what."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from compacts.models import Objective
from core.models import Currency
from pledges.models import Pledge, ReviewState
from pledges.services import transition_pledge
from tests.factories import UserFactory

from .conftest import GCM_DESCRIPTION

pytestmark = pytest.mark.django_db

CREATE = "/my/pledges/new/"
EditorData = Callable[..., dict[str, Any]]


def edit_url(pledge: Pledge) -> str:
    return f"/pledges/{pledge.reference}/edit/"


# --------------------------------------------------------------------------------------------
# Who may open the editor
# --------------------------------------------------------------------------------------------


def test_create_requires_login_when_anonymous(client: Client) -> None:
    response = client.get(CREATE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_create_points_to_entities_when_user_acts_for_none(
    logged_in: Any, reference_data: None
) -> None:
    response = logged_in(UserFactory(email="loner@example.org")).get(CREATE)

    assert response.status_code == 200
    assert "You do not act for any entity yet" in response.content.decode()


def test_create_form_offers_only_the_users_entities_when_opened(
    logged_in: Any, member_a: Any, entity_a: Any, entity_b: Any, reference_data: None
) -> None:
    response = logged_in(member_a).get(CREATE)

    page = response.content.decode()
    assert response.status_code == 200
    assert entity_a.name in page
    assert entity_b.name not in page
    # Every field of PledgeInput has a labelled input.
    for name in (
        "entity",
        "title",
        "description",
        "forum",
        "beneficiary_countries",
        "support_platform",
        "contact_name",
        "contact_email",
        "start_date",
        "end_date",
        "amount",
        "currency",
    ):
        assert f'<label for="id_{name}">' in page
    for name in ("compact", "objectives", "actions", "principles", "thematic_areas"):
        assert f'name="{name}"' in page
    assert 'name="targets-0-metric"' in page
    assert "Save draft" in page
    assert "Submit for review" in page
    assert "js/workspace.js" in page
    assert "<script>" not in page


def test_options_are_grouped_by_compact_when_form_is_shown(
    logged_in: Any, member_a: Any, reference_data: None
) -> None:
    page = logged_in(member_a).get(CREATE).content.decode()

    assert '<fieldset class="compact-group" data-compact="GCR">' in page
    assert '<fieldset class="compact-group" data-compact="GCM">' in page
    assert '<optgroup label="Global Compact on Refugees">' in page
    assert 'data-compact="GCM">International Migration Review Forum 2026</option>' in page


def test_edit_is_hidden_when_member_b_opens_a_draft_of_a(
    logged_in: Any, draft: Pledge, member_b: Any
) -> None:
    assert logged_in(member_b).get(edit_url(draft)).status_code == 404


def test_edit_requires_login_when_anonymous(client: Client, draft: Pledge) -> None:
    response = client.get(edit_url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_edit_is_forbidden_when_member_a_opens_a_submitted_pledge(
    logged_in: Any, submitted: Pledge, member_a: Any, editor_data: EditorData
) -> None:
    client = logged_in(member_a)

    assert client.get(edit_url(submitted)).status_code == 403
    response = client.post(
        edit_url(submitted), editor_data(pledge=submitted, title="Sneaky change")
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.title != "Sneaky change"


def test_edit_is_forbidden_when_member_b_opens_a_published_pledge_of_a(
    logged_in: Any, published: Pledge, member_b: Any
) -> None:
    assert logged_in(member_b).get(edit_url(published)).status_code == 403


def test_secretariat_may_open_the_editor_when_pledge_is_under_review(
    logged_in: Any, submitted: Pledge, secretariat: Any
) -> None:
    response = logged_in(secretariat).get(edit_url(submitted))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Save changes" in page
    # The secretariat does not submit on the entity's behalf.
    assert 'value="submit"' not in page


# --------------------------------------------------------------------------------------------
# Creating
# --------------------------------------------------------------------------------------------


def test_draft_is_created_when_member_saves_valid_data(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data(
        targets=[
            {"metric": "Children enrolled", "unit": "persons", "target_value": "10000"},
            {"metric": "", "unit": "", "target_value": ""},  # untouched extra row
        ]
    )

    response = logged_in(member_a).post(CREATE, data, follow=True)

    pledge = Pledge.objects.get()
    assert pledge.review_state == ReviewState.DRAFT
    assert pledge.reference == "GRF23-00001"
    assert list(pledge.objectives.values_list("number", flat=True)) == [2]
    assert list(pledge.targets.values_list("metric", flat=True)) == ["Children enrolled"]
    assert response.redirect_chain == [("/pledges/GRF23-00001/", 302)]
    assert "Draft GRF23-00001 saved." in response.content.decode()


def test_pledge_is_submitted_when_member_chooses_submit(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    response = logged_in(member_a).post(CREATE, editor_data(intent="submit"), follow=True)

    assert Pledge.objects.get().review_state == ReviewState.SUBMITTED
    assert "Pledge GRF23-00001 submitted for review." in response.content.decode()


def test_nothing_is_saved_and_fields_show_errors_when_required_fields_are_missing(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    response = logged_in(member_a).post(CREATE, editor_data(title="", forum=""))

    page = response.content.decode()
    assert response.status_code == 200
    assert not Pledge.objects.exists()
    assert 'role="alert"' in page
    assert '<a href="#id_title">' in page
    assert 'id="id_title_error"' in page
    assert 'aria-describedby="id_title_error"' in page
    assert 'aria-invalid="true"' in page
    # "Not at a forum" (no forum) is a choice; the date of the announcement is then required.
    assert 'id="id_announced_on_error"' in page


def test_objective_of_the_other_compact_is_an_objectives_error_when_saving(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    gcm_objective = Objective.objects.get(compact__code="GCM", number=23)

    response = logged_in(member_a).post(CREATE, editor_data(objectives=[gcm_objective.pk]))

    page = response.content.decode()
    assert not Pledge.objects.exists()
    assert 'id="id_objectives_error"' in page
    assert "Objectives must belong to the GCR" in page
    assert '<a href="#id_objectives">' in page


def test_forum_of_the_other_compact_is_a_forum_error_when_saving(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data()
    data["forum"] = editor_data(compact_code="GCM")["forum"]

    page = logged_in(member_a).post(CREATE, data).content.decode()

    assert not Pledge.objects.exists()
    assert 'id="id_forum_error"' in page
    assert "is not a forum of the Global Compact on Refugees" in page


def test_amount_needs_currency_and_end_cannot_precede_start_when_saving(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data(amount="5000", start_date="2025-06-01", end_date="2025-01-01")

    page = logged_in(member_a).post(CREATE, data).content.decode()

    assert not Pledge.objects.exists()
    assert 'id="id_currency_error"' in page
    assert "Choose the currency of the amount." in page
    assert 'id="id_end_date_error"' in page
    assert "The end date cannot be before the start date." in page


def test_negative_amount_is_refused_when_saving(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    usd = Currency.objects.get(code="USD")

    page = logged_in(member_a).post(CREATE, editor_data(amount="-1", currency=usd.pk))

    assert not Pledge.objects.exists()
    assert "The amount cannot be negative." in page.content.decode()


def test_target_errors_are_shown_on_the_row_when_a_target_is_invalid(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data(targets=[{"metric": "Share", "unit": "percent", "target_value": "abc"}])

    page = logged_in(member_a).post(CREATE, data).content.decode()

    assert not Pledge.objects.exists()
    assert 'id="id_targets-0-target_value_error"' in page
    assert '<a href="#id_targets-0-target_value">Target 1, Target:' in page


def test_percentage_target_over_100_is_a_targets_error_when_saving(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data(targets=[{"metric": "Share", "unit": "percent", "target_value": "150"}])

    page = logged_in(member_a).post(CREATE, data).content.decode()

    assert not Pledge.objects.exists()
    assert '<a href="#targets-group">A percentage target cannot exceed 100.</a>' in page


def test_entity_the_user_does_not_act_for_is_refused_when_creating(
    logged_in: Any, member_a: Any, entity_b: Any, editor_data: EditorData
) -> None:
    page = logged_in(member_a).post(CREATE, editor_data(entity=entity_b.pk)).content.decode()

    assert not Pledge.objects.exists()
    assert 'id="id_entity_error"' in page


def test_draft_is_saved_but_errors_are_shown_when_submitting_a_short_gcm_description(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data(compact_code="GCM", description="Too short.", intent="submit")

    response = logged_in(member_a).post(CREATE, data)

    page = response.content.decode()
    pledge = Pledge.objects.get()
    assert pledge.review_state == ReviewState.DRAFT
    assert pledge.description == "Too short."
    assert "was saved, but it cannot be submitted yet" in page
    assert 'id="id_description_error"' in page
    assert "A GCM pledge needs a description of 300 to 3000 characters" in page
    # The form now edits the saved pledge, at its current version.
    assert f'action="/pledges/{pledge.reference}/edit/"' in page
    assert f'name="version" value="{pledge.version}"' in page


def test_gcm_description_of_the_right_length_is_submitted(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data(compact_code="GCM", description=GCM_DESCRIPTION, intent="submit")

    logged_in(member_a).post(CREATE, data)

    assert Pledge.objects.get().review_state == ReviewState.SUBMITTED


def test_draft_without_objectives_is_saved_but_not_submitted(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    page = logged_in(member_a).post(CREATE, editor_data(objectives=[], intent="submit"))

    assert Pledge.objects.get().review_state == ReviewState.DRAFT
    assert "Choose at least one objective." in page.content.decode()


def test_resaving_after_a_refused_submission_keeps_the_targets_once(
    logged_in: Any, member_a: Any, editor_data: EditorData
) -> None:
    client = logged_in(member_a)
    row = {"metric": "Children enrolled", "unit": "persons", "target_value": "10"}
    client.post(CREATE, editor_data(objectives=[], intent="submit", targets=[row]))
    pledge = Pledge.objects.get()
    target = pledge.targets.get()

    data = editor_data(pledge=pledge, intent="submit", targets=[{**row, "id": target.pk}])
    client.post(edit_url(pledge), data)

    pledge.refresh_from_db()
    assert pledge.review_state == ReviewState.SUBMITTED
    assert list(pledge.targets.values_list("pk", flat=True)) == [target.pk]


# --------------------------------------------------------------------------------------------
# Editing
# --------------------------------------------------------------------------------------------


def test_edit_form_is_filled_with_the_pledge_when_opened(
    logged_in: Any, draft: Pledge, member_a: Any
) -> None:
    page = logged_in(member_a).get(edit_url(draft)).content.decode()

    assert f'value="{draft.title}"' in page
    assert f'name="version" value="{draft.version}"' in page
    assert 'name="targets-0-metric" value="Children enrolled"' in page
    assert 'name="entity" disabled' in page


def test_changes_are_saved_and_version_bumped_when_member_edits_a_draft(
    logged_in: Any, draft: Pledge, member_a: Any, editor_data: EditorData
) -> None:
    target = draft.targets.get()
    data = editor_data(
        pledge=draft,
        title="A better title",
        targets=[
            {"id": target.pk, "metric": "Pupils", "unit": "persons", "target_value": "5"},
        ],
    )

    response = logged_in(member_a).post(edit_url(draft), data, follow=True)

    draft.refresh_from_db()
    assert draft.title == "A better title"
    assert draft.version == 2
    assert list(draft.targets.values_list("pk", "metric")) == [(target.pk, "Pupils")]
    assert "Changes to GRF23-00001 saved." in response.content.decode()


def test_target_is_removed_when_its_remove_box_is_ticked(
    logged_in: Any, draft: Pledge, member_a: Any, editor_data: EditorData
) -> None:
    target = draft.targets.get()
    row = {"id": target.pk, "metric": target.metric, "unit": "persons", "target_value": "1"}
    data = editor_data(pledge=draft, targets=[{**row, "DELETE": "on"}])

    logged_in(member_a).post(edit_url(draft), data)

    assert not draft.targets.exists()


def test_stale_save_is_refused_with_input_kept_when_someone_saved_in_between(
    logged_in: Any, draft: Pledge, member_a: Any, editor_data: EditorData
) -> None:
    client = logged_in(member_a)
    stale = editor_data(pledge=draft, title="My late edit")
    client.post(edit_url(draft), editor_data(pledge=draft, title="Colleague's edit"))

    response = client.post(edit_url(draft), stale)

    page = response.content.decode()
    draft.refresh_from_db()
    assert response.status_code == 409
    assert draft.title == "Colleague's edit"
    assert "Somebody else changed this pledge while you were editing it." in page
    assert 'value="My late edit"' in page
    assert "Open the current version of the pledge" in page


def test_save_without_the_loaded_version_is_refused(
    logged_in: Any, draft: Pledge, member_a: Any, editor_data: EditorData
) -> None:
    data = editor_data(pledge=draft, title="Blind overwrite")
    del data["version"]

    response = logged_in(member_a).post(edit_url(draft), data)

    draft.refresh_from_db()
    assert response.status_code == 200
    assert draft.title != "Blind overwrite"


def test_changes_requested_pledge_is_resubmitted_when_member_saves_and_submits(
    logged_in: Any, submitted: Pledge, member_a: Any, secretariat: Any, editor_data: EditorData
) -> None:
    transition_pledge(
        pledge=submitted, action="request_changes", by=secretariat, reason="Add dates."
    )
    submitted.refresh_from_db()
    client = logged_in(member_a)
    assert "Resubmit for review" in client.get(edit_url(submitted)).content.decode()

    data = editor_data(
        pledge=submitted, start_date="2024-01-01", end_date="2027-12-31", intent="submit"
    )
    response = client.post(edit_url(submitted), data, follow=True)

    submitted.refresh_from_db()
    assert submitted.review_state == ReviewState.RESUBMITTED
    assert "Pledge GRF23-00001 resubmitted for review." in response.content.decode()


def test_secretariat_correction_is_validated_in_full_when_pledge_is_under_review(
    logged_in: Any, submitted: Pledge, secretariat: Any, editor_data: EditorData
) -> None:
    response = logged_in(secretariat).post(
        edit_url(submitted), editor_data(pledge=submitted, objectives=[])
    )

    assert "Choose at least one objective." in response.content.decode()
    assert submitted.objectives.exists()
