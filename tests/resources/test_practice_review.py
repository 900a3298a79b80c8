"""A stakeholder's practice is reviewed like a pledge: submitted, returned with a reason,
changed and resubmitted, published; every decision audited, never visible to others before."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from core.audit import entries_for
from notifications.models import Kind, Notification
from resources.models import Resource, ResourceState
from resources.services import set_practice_criteria, transition_resource

pytestmark = pytest.mark.django_db

FORM = {
    "title": "One-stop centres for returnees",
    "summary": "Returnees find every service in one place; 4,000 served in 2024.",
    "url": "https://example.org/one-stop",
    "languages": ["en"],
}


def test_a_practice_goes_through_review_when_changes_are_requested_then_made(
    client, reference_data, member_a, member_b, secretariat
) -> None:
    set_practice_criteria(text="Show measured results.", by=secretariat)
    client.force_login(member_a)
    page = client.get(reverse("resources:practice-submit"))
    assert "Show measured results." in page.content.decode()
    response = client.post(reverse("resources:practice-submit"), FORM)
    assert response.status_code == 302
    practice = Resource.objects.get()
    assert (practice.state, practice.resource_type) == (ResourceState.SUBMITTED, "practice")

    # Not public, nor visible to another entity, until published.
    detail = reverse("resources:detail", args=[practice.public_id])
    client.force_login(member_b)
    assert client.get(detail).status_code == 404
    client.logout()
    assert client.get(detail).status_code == 404
    assert practice.title not in client.get(reverse("resources:list")).content.decode()

    client.force_login(secretariat)
    decision = reverse("resources:decision", args=[practice.public_id])
    refused = client.post(decision, {"action": "request_changes", "reason": ""})
    assert refused.status_code == 400
    assert "Give a reason" in refused.content.decode()
    client.post(decision, {"action": "request_changes", "reason": "Add the 2024 figures."})
    practice.refresh_from_db()
    assert practice.state == ResourceState.CHANGES_REQUESTED

    client.force_login(member_a)
    mine = client.get(reverse("resources:my-practices")).content.decode()
    assert "Add the 2024 figures." in mine
    edit = reverse("resources:practice-edit", args=[practice.public_id])
    client.post(edit, {**FORM, "summary": "4,000 served in 2024, 6,000 in 2025."})
    practice.refresh_from_db()
    assert practice.state == ResourceState.RESUBMITTED
    assert "6,000" in practice.summary

    client.force_login(secretariat)
    client.post(decision, {"action": "publish", "reason": ""})
    practice.refresh_from_db()
    assert practice.state == ResourceState.PUBLISHED
    client.logout()
    assert client.get(detail).status_code == 200
    actions = [entry.action for entry in entries_for(practice)]
    assert actions == [
        "resources.resource.publish",
        "resources.resource.resubmit",
        "resources.resource.updated",
        "resources.resource.request_changes",
        "resources.resource.submit",
    ]


def test_only_the_secretariat_decides_when_a_member_posts_a_decision(
    client, reference_data, member_a, secretariat
) -> None:
    client.force_login(member_a)
    client.post(reverse("resources:practice-submit"), FORM)
    practice = Resource.objects.get()
    decision = reverse("resources:decision", args=[practice.public_id])
    assert client.post(decision, {"action": "publish"}).status_code == 403
    client.force_login(secretariat)
    client.post(decision, {"action": "reject", "reason": "Not a practice."})
    practice.refresh_from_db()
    assert practice.state == ResourceState.REJECTED
    client.force_login(member_a)
    edit = reverse("resources:practice-edit", args=[practice.public_id])
    assert client.post(edit, FORM).status_code == 302
    practice.refresh_from_db()
    assert practice.state == ResourceState.REJECTED


def test_a_file_of_another_type_is_refused_and_nothing_is_stored_when_uploaded(
    client, reference_data, member_a, tmp_path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(member_a)
    html = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(reverse("resources:practice-submit"), {**FORM, "upload": html})
    assert response.status_code == 400
    assert "This kind of file is not accepted" in response.content.decode()
    assert not Resource.objects.exists()
    assert not any((tmp_path / "media").rglob("*.*"))

    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.7\n...")
    client.post(reverse("resources:practice-submit"), {**FORM, "url": "", "upload": pdf})
    practice = Resource.objects.get()
    assert practice.file_type == "application/pdf"
    assert not practice.file.name.endswith("report.pdf")  # stored under a random name
    download = client.get(reverse("resources:file", args=[practice.public_id]))
    assert download["Content-Disposition"].startswith('attachment; filename="report.pdf"')
    assert download["X-Content-Type-Options"] == "nosniff"
    client.logout()
    assert client.get(reverse("resources:file", args=[practice.public_id])).status_code == 404


def test_the_submitter_is_told_each_decision_in_their_language_when_the_secretariat_decides(
    client, reference_data, member_a, secretariat, django_capture_on_commit_callbacks
) -> None:
    member_a.language = "fr"
    member_a.save(update_fields=["language"])
    client.force_login(member_a)
    client.post(reverse("resources:practice-submit"), FORM)
    practice = Resource.objects.get()
    mail.outbox.clear()

    for action, reason, link in (
        ("request_changes", "Add the 2024 figures.", "practice-edit"),
        ("publish", "", "detail"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            if action == "publish":
                transition_resource(resource=practice, action="resubmit", by=member_a)
            transition_resource(resource=practice, action=action, by=secretariat, reason=reason)
        message = mail.outbox[-1]
        assert message.to == [member_a.email]
        assert practice.title in message.subject
        assert reverse(f"resources:{link}", args=[practice.public_id]) in message.body
        assert message.alternatives  # HTML too
        if reason:
            assert "Motif indiqué par le Secrétariat" in message.body  # French
            assert reason in message.body
    assert len(mail.outbox) == 2  # the submitter's resubmission tells nobody here
    assert Notification.objects.filter(user=member_a, kind=Kind.DECISION).count() == 2


def test_the_decision_message_is_in_the_reviewers_language_when_they_decide(
    client, reference_data, member_a, secretariat
) -> None:
    client.force_login(member_a)
    client.post(reverse("resources:practice-submit"), FORM)
    practice = Resource.objects.get()
    client.force_login(secretariat)
    with translation.override("fr"):
        decision = reverse("resources:decision", args=[practice.public_id])

    page = client.post(decision, {"action": "publish", "reason": ""}, follow=True)

    assert f"« {practice.title} » est publiée." in page.content.decode()
