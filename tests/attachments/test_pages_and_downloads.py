"""Attachments on the web and in the API: members attach on the attachments page, the pledge
page lists what the reader may see, and a file downloads only where its pledge or update is
visible, always as a download."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from accounts.models import User
from attachments import services
from attachments.models import Attachment
from pledges.models import Pledge, PledgeUpdate

from . import files
from .conftest import stored_files, upload

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _attach(pledge: Pledge, by: User, update: PledgeUpdate | None = None) -> Attachment:
    file = upload(files.PDF, "signed agreement.pdf")
    return services.add_attachment(
        pledge=pledge, update=update, file=file, name=file.name, size=file.size, by=by
    )


def test_member_attaches_a_file_on_the_page_and_sees_it_on_the_pledge_page(
    pledges: dict[str, Pledge], member_a: User
) -> None:
    client = _client(member_a)
    page = reverse("attachments:pledge-attachments", args=[pledges["draft"].reference])

    sent = client.post(page, {"file": upload(files.DOCX, "plan.docx")})
    refused = client.post(page, {"file": upload(files.EXE, "plan.pdf")})
    pledge_page = client.get(reverse("pledges:pledge-detail", args=[pledges["draft"].reference]))

    assert sent.status_code == 302
    assert refused.status_code == 400
    assert "This kind of file is not accepted" in refused.text
    assert "plan.docx" in pledge_page.text
    assert "Word document" in pledge_page.text
    assert len(stored_files()) == 1


def test_download_is_an_attachment_with_nosniff_when_the_pledge_is_published(
    pledges: dict[str, Pledge], secretariat: User
) -> None:
    added = _attach(pledges["published"], secretariat)

    response = Client().get(reverse("attachment-download", args=[added.public_id]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "signed agreement.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_files_of_drafts_and_pending_updates_are_404_to_others_and_shown_to_the_entity(
    pledges: dict[str, Pledge],
    member_a: User,
    member_b: User,
    secretariat: User,
    pending_update: PledgeUpdate,
) -> None:
    on_draft = _attach(pledges["draft"], member_a)
    on_pending = _attach(pledges["published"], member_a, update=pending_update)

    for attachment in (on_draft, on_pending):
        url = reverse("attachment-download", args=[attachment.public_id])
        assert Client().get(url).status_code == 404
        assert _client(member_b).get(url).status_code == 404
        assert _client(member_a).get(url).status_code == 200
        assert _client(secretariat).get(url).status_code == 200
    public_page = Client().get(
        reverse("pledges:pledge-detail", args=[pledges["published"].reference])
    )
    assert "signed agreement.pdf" not in public_page.text


def test_api_lists_files_on_pledges_and_updates_and_anonymous_callers_see_public_ones_only(
    pledges: dict[str, Pledge], member_a: User, secretariat: User, pending_update: PledgeUpdate
) -> None:
    on_pledge = _attach(pledges["published"], secretariat)
    on_pending = _attach(pledges["published"], member_a, update=pending_update)
    reference = pledges["published"].reference
    member = _client(member_a)

    pledge = member.get(f"/api/v1/pledges/{reference}/", HTTP_ACCEPT="application/json").json()
    update = member.get(
        f"/api/v1/pledge-updates/{pending_update.public_id}/", HTTP_ACCEPT="application/json"
    ).json()
    public = Client().get(f"/api/v1/pledge-updates/?pledge={reference}").json()

    assert [a["sha256"] for a in pledge["attachments"]] == [on_pledge.sha256]
    assert pledge["attachments"][0]["url"].endswith(f"/attachments/{on_pledge.public_id}/download/")
    assert pledge["attachments"][0]["size"] == len(files.PDF)
    assert update["attachments"][0]["name"] == "signed agreement.pdf"
    assert update["attachments"][0]["content_type"] == "application/pdf"
    assert str(on_pending.public_id) not in str(public)
    # A program downloads with its API key what the API listed for it.
    download = Client(HTTP_AUTHORIZATION="Bearer not-a-key").get(update["attachments"][0]["url"])
    assert download.status_code == 404


def test_removal_asks_for_confirmation_then_removes_the_file(
    pledges: dict[str, Pledge], member_a: User, django_capture_on_commit_callbacks: Any
) -> None:
    added = _attach(pledges["draft"], member_a)
    client = _client(member_a)
    url = reverse("attachments:remove", args=[added.public_id])

    confirm = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(url)

    assert "Yes, remove the file" in confirm.text
    assert removed.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_update_page_shows_the_update_and_its_upload_form_to_its_entity(
    pledges: dict[str, Pledge], member_a: User, pending_update: PledgeUpdate
) -> None:
    url = reverse(
        "attachments:update-attachments",
        args=[pledges["published"].reference, pending_update.public_id],
    )

    page = _client(member_a).get(url)
    sent = _client(member_a).post(url, {"file": upload(files.CSV, "pupils.csv")})

    assert "Work is under way." in page.text
    assert 'type="file"' in page.text
    assert sent.status_code == 302
    assert Attachment.objects.get().update == pending_update
    assert Client().get(url).status_code == 404


def test_a_pledge_pages_files_are_looked_up_by_their_own_pledge_and_update(
    pledges: dict[str, Pledge], member_a: User
) -> None:
    """The pledge page lists its files through `visible_to`. Written as `IN (SELECT …)` under an
    OR, PostgreSQL hashed every visible pledge and update first: a full pass over the updates
    on each page view (~18,000 cost units at 100,000 pledges, `make bench`'s hot-path check),
    where a correlated EXISTS probes each file's own pledge and update by key (~30). The test
    tables are too small for the planner to show the difference, so the SQL's shape is read."""
    for reader in (AnonymousUser(), member_a):
        sql = str(Attachment.objects.visible_to(reader).filter(pledge=pledges["published"]).query)

        assert '"attachments_attachment"."update_id" IN (SELECT' not in sql
        assert '"attachments_attachment"."pledge_id" IN (SELECT' not in sql
        assert sql.count("EXISTS(") >= 2
