"""User-entered text (titles, descriptions, progress narratives) is stored exactly as typed and
rendered escaped: a pledge cannot carry script into the tracker's pages or into partners' tools
(docs/security.md, "User-entered text"). The app accepts no uploads: no model has a file field."""

import json

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compacts.models import Objective
from forums.models import Forum
from pledges.models import Pledge, PledgeUpdate, ReviewState

from .conftest import World

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
EVIL = f"Schools for all {SCRIPT} and {IMG} — 10 < 20 & “quotes”"


def _assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html


def test_web_editor_stores_markup_verbatim_and_pages_show_it_escaped(
    world: World, member_a_client: Client
) -> None:
    forum = Forum.objects.get(code="GRF23")
    objective = Objective.objects.get(compact=forum.compact, number=2)
    response = member_a_client.post(
        reverse("pledges:pledge-create"),
        {
            "entity": world.users["member_a"].memberships.get().entity_id,
            "compact": forum.compact_id,
            "forum": forum.pk,
            "title": f"Title {SCRIPT}",
            "description": EVIL,
            "objectives": [objective.pk],
            "geography_scope": "national",
            "beneficiary_countries": ["KE"],
            "intent": "draft",
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "50",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    pledge = Pledge.objects.get(title=f"Title {SCRIPT}")
    Pledge.objects.filter(pk=pledge.pk).update(
        review_state=ReviewState.PUBLISHED, published_at=timezone.now()
    )

    assert pledge.description == EVIL
    _assert_escaped(Client().get(f"/pledges/{pledge.reference}/").content.decode())
    for path in ("/pledges/?q=schools", "/pledges/"):  # lists show the title
        listing = Client().get(path).content.decode()
        assert "Title &lt;script&gt;alert(1)&lt;/script&gt;" in listing
        assert SCRIPT not in listing


def test_api_stores_markup_verbatim_and_returns_it_as_plain_json_text(world: World) -> None:
    reference = world.targets["A-draft"]["reference"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.keys['member_a']}")

    patched = client.patch(
        f"/api/v1/pledges/{reference}/",
        data={"description": EVIL},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        HTTP_IF_MATCH="*",
    )
    Pledge.objects.filter(reference=reference).update(
        review_state=ReviewState.PUBLISHED, published_at=timezone.now()
    )
    public = Client().get(f"/api/v1/pledges/{reference}/", HTTP_ACCEPT="application/json")

    assert patched.status_code == 200, patched.content
    assert Pledge.objects.get(reference=reference).description == EVIL
    assert public["Content-Type"].startswith("application/json")
    assert json.loads(public.content)["description"] == EVIL
    _assert_escaped(Client().get(f"/pledges/{reference}/").content.decode())


def test_progress_narrative_is_shown_escaped_on_the_public_pledge_page(world: World) -> None:
    update = PledgeUpdate.objects.get(pk=world.targets["A-update-approved"]["pk"])
    PledgeUpdate.objects.filter(pk=update.pk).update(narrative=EVIL, challenges=IMG)

    page = Client().get(f"/pledges/{update.pledge.reference}/").content.decode()
    api = Client().get(
        f"/api/v1/pledge-updates/{update.public_id}/", HTTP_ACCEPT="application/json"
    )

    _assert_escaped(page)
    assert json.loads(api.content)["narrative"] == EVIL


def test_the_models_with_a_file_are_the_attachment_and_the_resource_checked_one_way() -> None:
    file_fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]

    # Attachments are checked (size, type from the content, virus scan) by their service and
    # only ever downloaded as attachments with nosniff and a sandboxing CSP: docs/security.md.
    # A library resource's file goes through the same check (resources.files). Another file
    # field needs the same: see tests/attachments/.
    assert sorted(file_fields) == ["attachments.Attachment.file", "resources.Resource.file"]


@pytest.fixture
def member_a_client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["member_a"])
    return client
