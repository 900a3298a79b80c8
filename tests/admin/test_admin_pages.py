"""Every admin page of our apps opens for a site admin, and only for staff."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from simple_history.models import HistoricalChanges

from accounts.models import ApiKey
from core.models import AuditEntry
from forums.models import ReportingRound
from indicators.models import (
    CompactProgressSnapshot,
    FilterSum,
    MspProgressSnapshot,
    PledgeFact,
    ProgressBase,
    ProgressSnapshot,
    ProgressSum,
    RecomputeRun,
)
from partnerships.models import (
    KeyOutcome,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from pledges.models import (
    ContinuousReferenceCounter,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeProgressMark,
    PledgeReaffirmation,
    PledgeReferenceCounter,
    PledgeTranslation,
)

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "core",
    "accounts",
    "compacts",
    "forums",
    "pledges",
    "partnerships",
    "indicators",
    "followup",
}
OUR_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
    key=lambda model: model._meta.label,
)
# Written only by code: snapshots by the progress engine, the rest by the services (API keys by
# the "API keys" page and `create_api_key`, since their secret must be shown once).
# The progress engine's stored facts and sums, and the pledges' progress marks, which they adjust.
COMPUTED_ROWS = {FilterSum, PledgeFact, ProgressBase, ProgressSum, PledgeProgressMark}
READ_ONLY_MODELS = {
    ApiKey,
    PledgeTranslation,  # written through the translation services (pledge's Translations page)
    AuditEntry,
    PledgeReferenceCounter,
    PledgeParticipant,  # co-pledgers are managed on the pledge page (participant services)
    PledgeLink,  # so are links (link services)
    PledgeReaffirmation,  # reaffirmations too (reaffirmation service)
    ContinuousReferenceCounter,  # moved by the pledge services only, like the forums' counters
    ReportingRound,  # managed on the secretariat's round pages (forums.services)
    ProgressSnapshot,
    CompactProgressSnapshot,
    MspProgressSnapshot,
    RecomputeRun,
    # Multistakeholder pledges: written on their pages through the partnership services.
    MultistakeholderPledge,
    MultistakeholderLead,
    KeyOutcome,
    MultistakeholderMembership,
    *COMPUTED_ROWS,
}
# Deleting these would erase evidence, hand out pledge references a second time, or make every
# later progress figure wrong.
UNDELETABLE_MODELS = {
    AuditEntry,
    PledgeReferenceCounter,
    ContinuousReferenceCounter,
    RecomputeRun,
    *COMPUTED_ROWS,
}


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_our_apps_is_registered_when_admin_loads() -> None:
    # Historical copies (django-simple-history) are read through their model's History page.
    ours = {
        model
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and not issubclass(model, HistoricalChanges)
    }

    assert ours - set(OUR_MODELS) == set()


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model._meta.label)
def test_changelist_lists_the_row_when_site_admin_opens_it(
    admin_client: Client, rows: dict[type[Model], Model], model: type[Model]
) -> None:
    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert rows[model] in response.context["cl"].result_list


@pytest.mark.parametrize(
    "model",
    [model for model in OUR_MODELS if model not in READ_ONLY_MODELS],
    ids=lambda model: model._meta.label,
)
def test_add_form_answers_200_when_site_admin_opens_it(
    admin_client: Client, model: type[Model]
) -> None:
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 200
    assert response.context["adminform"].form is not None


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model._meta.label)
def test_change_form_shows_the_row_when_site_admin_opens_it(
    admin_client: Client, rows: dict[type[Model], Model], model: type[Model]
) -> None:
    row = rows[model]

    response = admin_client.get(admin_url(model, "change", quote(row.pk)))

    assert response.status_code == 200
    assert response.context["original"] == row


@pytest.mark.parametrize("model", sorted(READ_ONLY_MODELS, key=str), ids=lambda m: m.__name__)
def test_add_form_is_refused_when_rows_are_written_only_by_code(
    admin_client: Client, model: type[Model]
) -> None:
    assert admin_client.get(admin_url(model, "add")).status_code == 403


@pytest.mark.parametrize("model", sorted(READ_ONLY_MODELS, key=str), ids=lambda m: m.__name__)
def test_change_form_has_no_save_button_when_rows_are_written_only_by_code(
    admin_client: Client, rows: dict[type[Model], Model], model: type[Model]
) -> None:
    row = rows[model]

    response = admin_client.get(admin_url(model, "change", row.pk))

    assert response.status_code == 200
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize("model", sorted(UNDELETABLE_MODELS, key=str), ids=lambda m: m.__name__)
def test_delete_is_refused_when_rows_must_be_kept(
    admin_client: Client, rows: dict[type[Model], Model], model: type[Model]
) -> None:
    row = rows[model]

    response = admin_client.post(admin_url(model, "delete", quote(row.pk)), {"post": "yes"})

    assert response.status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def autocomplete_fields() -> list[tuple[type[Model], str]]:
    """(model holding the field, field name) for every autocomplete in our admins and inlines."""
    found = []
    for model in OUR_MODELS:
        model_admin = admin.site._registry[model]
        found += [(model, name) for name in model_admin.autocomplete_fields]
        for inline in model_admin.inlines:
            found += [(inline.model, name) for name in inline.autocomplete_fields]
    return sorted(set(found), key=lambda pair: (pair[0]._meta.label, pair[1]))


@pytest.mark.parametrize(
    ("model", "field_name"),
    autocomplete_fields(),
    ids=lambda value: value if isinstance(value, str) else value._meta.label,
)
def test_autocomplete_offers_the_row_when_site_admin_types_nothing(
    admin_client: Client, rows: dict[type[Model], Model], model: type[Model], field_name: str
) -> None:
    remote_model = model._meta.get_field(field_name).related_model

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field_name,
            "term": "",
        },
    )

    assert response.status_code == 200
    offered = {result["id"] for result in response.json()["results"]}
    assert str(rows[remote_model].pk) in offered


@pytest.mark.parametrize("user_fixture", ["member_a", "anonymous"])
def test_redirected_to_login_when_user_is_not_staff(
    client: Client, request: pytest.FixtureRequest, user_fixture: str
) -> None:
    user = request.getfixturevalue(user_fixture)
    if user.is_authenticated:
        client.force_login(user)
    url = reverse("admin:pledges_pledge_changelist")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_a_pledge_with_rows_of_every_kind_deletes_in_the_admin(
    admin_client: Client, rows: dict[type[Model], Model]
) -> None:
    # Its reaffirmation and multistakeholder membership are shown read-only in their own
    # admins; that must not forbid deleting the pledge they belong to (issue 17 added both).
    pledge = rows[Pledge]
    assert PledgeReaffirmation.objects.filter(pledge=pledge).exists()
    assert MultistakeholderMembership.objects.filter(pledge=pledge).exists()

    response = admin_client.post(
        admin_url(Pledge, "changelist"),
        {"action": "delete_selected", "_selected_action": [pledge.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Pledge.objects.filter(pk=pledge.pk).exists()
