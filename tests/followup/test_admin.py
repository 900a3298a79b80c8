"""The secretariat records new follow-up documents in the admin; nobody else may."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from compacts.models import Objective
from followup.models import FollowUpDocument
from forums.models import Forum
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:followup_followupdocument_add")


def new_document() -> dict[str, object]:
    """What a secretary types for the IMRF 2026 Progress Declaration (an example, not a fact
    the tracker ships)."""
    return {
        "slug": "imrf-2026-progress-declaration",
        "kind": "imrf_progress_declaration",
        "symbol": "",
        "title_en": "Progress Declaration of the second International Migration Review Forum",
        "date": "2026-05-08",
        "date_precision": "day",
        "languages": ["en", "fr"],
        "url": "example.org/imrf-2026",
        "source": "https://example.org/imrf-2026",
        "forums": [str(Forum.objects.get(code="IMRF26").pk)],
        "objectives": [str(Objective.objects.get(compact__code="GCM", number=23).pk)],
    }


def test_secretariat_adds_a_document_that_then_shows_on_the_forum_page(
    client: Client, reference_data: None, secretariat: User
) -> None:
    client.force_login(secretariat)
    assert client.get(ADD).status_code == 200

    response = client.post(ADD, new_document())

    assert response.status_code == 302, response.context and response.context["errors"]
    document = FollowUpDocument.objects.get(slug="imrf-2026-progress-declaration")
    assert (
        document.title == "Progress Declaration of the second International Migration Review Forum"
    )
    assert document.url == "https://example.org/imrf-2026"
    assert document.languages == ["en", "fr"]
    # The compact follows from the forum and objectives chosen.
    assert [c.code for c in document.compacts.all()] == ["GCM"]
    page = client.get(reverse("pledges:forum-detail", kwargs={"code": "IMRF26"}))
    assert "Progress Declaration of the second International Migration Review Forum" in (
        page.content.decode()
    )


def test_language_outside_the_six_is_refused_on_its_field(
    client: Client, reference_data: None, secretariat: User
) -> None:
    client.force_login(secretariat)

    response = client.post(ADD, {**new_document(), "languages": ["en", "de"]})

    assert response.status_code == 200
    assert "languages" in response.context["adminform"].form.errors
    assert not FollowUpDocument.objects.filter(slug="imrf-2026-progress-declaration").exists()


def test_secretariat_edits_a_shipped_document(
    client: Client, reference_data: None, secretariat: User
) -> None:
    document = FollowUpDocument.objects.get(slug="hlom-2021-outcome")
    client.force_login(secretariat)

    page = client.get(reverse("admin:followup_followupdocument_change", args=[document.pk]))

    assert page.status_code == 200
    assert b'name="_save"' in page.content


def test_member_is_sent_to_the_admin_log_in(
    client: Client, reference_data: None, member_a: User
) -> None:
    client.force_login(member_a)

    response = client.post(ADD, new_document())

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not FollowUpDocument.objects.filter(slug="imrf-2026-progress-declaration").exists()


def test_staff_outside_the_secretariat_is_refused(client: Client, reference_data: None) -> None:
    client.force_login(UserFactory(email="it@example.org", is_staff=True))

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, new_document()).status_code == 403
    assert not FollowUpDocument.objects.filter(slug="imrf-2026-progress-declaration").exists()
