"""Adding and removing files through the service: checked before anything is stored, audited,
bounded, and never leaving a file without its record or a record without its file."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from attachments import services
from attachments.models import Attachment
from core.models import AuditEntry
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge, PledgeParticipant, PledgeUpdate, UpdateReviewState
from tests.factories import MembershipFactory, PledgeUpdateFactory

from . import files
from .conftest import stored_files, upload

pytestmark = pytest.mark.django_db


def _add(pledge: Pledge, by: User, content: bytes = files.PDF, name: str = "a.pdf", **kw: Any):
    file = upload(content, name)
    return services.add_attachment(pledge=pledge, file=file, name=name, size=file.size, by=by, **kw)


def test_file_is_stored_under_a_random_name_and_audited_when_a_member_attaches_it(
    pledges: dict[str, Pledge], member_a: User
) -> None:
    added = _add(pledges["draft"], member_a, files.PNG, "../../school photo.pdf")

    assert added.name == "school photo.png"  # its content is a PNG, whatever it was called
    assert added.content_type == "image/png"
    assert added.size == len(files.PNG)
    assert len(added.sha256) == 64
    assert "school" not in added.file.name
    assert len(stored_files()) == 1
    entry = AuditEntry.objects.get(action="attachments.attachment.added")
    assert entry.actor == member_a
    assert entry.data["sha256"] == added.sha256


@pytest.mark.parametrize(
    ("content", "name"),
    [(files.EXE, "report.pdf"), (files.HTML, "page.csv"), (b"", "empty.pdf")],
    ids=["exe-called-pdf", "html-called-csv", "empty"],
)
def test_nothing_is_stored_when_the_content_is_not_an_accepted_kind(
    pledges: dict[str, Pledge], member_a: User, content: bytes, name: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _add(pledges["draft"], member_a, content, name)

    assert "file" in refused.value.message_dict
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_a_file_over_the_size_limit_is_refused_with_the_limit_when_uploaded(
    pledges: dict[str, Pledge], member_a: User, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 50

    with pytest.raises(ValidationError) as refused:
        _add(pledges["draft"], member_a, files.PDF + b" " * 50)

    assert "50\xa0bytes" in refused.value.message_dict["file"][0]
    assert stored_files() == []


def test_the_number_of_files_is_bounded_when_one_more_is_added(
    pledges: dict[str, Pledge], member_a: User, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_PER_RECORD = 2
    _add(pledges["draft"], member_a)
    _add(pledges["draft"], member_a)

    with pytest.raises(ValidationError, match="At most 2 files"):
        _add(pledges["draft"], member_a)

    assert len(stored_files()) == 2


def test_no_file_is_left_behind_when_the_transaction_fails_midway(
    pledges: dict[str, Pledge], member_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "record_change", fail)

    with pytest.raises(RuntimeError):
        _add(pledges["draft"], member_a)

    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_members_cannot_attach_to_a_published_pledge_but_the_secretariat_can(
    pledges: dict[str, Pledge], member_a: User, member_b: User, secretariat: User
) -> None:
    with pytest.raises(PermissionDenied):
        _add(pledges["published"], member_a)
    with pytest.raises(PermissionDenied):
        _add(pledges["draft"], member_b)

    assert _add(pledges["published"], secretariat).pledge == pledges["published"]


def test_a_co_pledger_attaches_to_its_own_pending_update_but_not_after_review(
    pledges: dict[str, Pledge], member_b: User
) -> None:
    entity_b = member_b.memberships.get().entity
    PledgeParticipant.objects.create(
        pledge=pledges["published"], entity=entity_b, status="accepted"
    )
    own = PledgeUpdateFactory(pledge=pledges["published"], entity=entity_b, submitted_by=member_b)
    approved = PledgeUpdateFactory(
        pledge=pledges["published"],
        entity=entity_b,
        review_state=UpdateReviewState.APPROVED,
    )

    added = _add(pledges["published"], member_b, update=own)

    assert added.update == own
    with pytest.raises(TransitionNotAllowed):
        _add(pledges["published"], member_b, update=approved)


def test_file_is_deleted_with_its_record_once_removal_commits(
    pledges: dict[str, Pledge],
    member_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    added = _add(pledges["draft"], member_a)

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(attachment=added, by=member_a)

    assert not Attachment.objects.exists()
    assert stored_files() == []
    assert AuditEntry.objects.filter(action="attachments.attachment.removed").count() == 1


def test_only_the_secretariat_removes_a_file_of_an_approved_update(
    pledges: dict[str, Pledge], member_a: User, secretariat: User, pending_update: PledgeUpdate
) -> None:
    added = _add(pledges["published"], member_a, update=pending_update)
    PledgeUpdate.objects.filter(pk=pending_update.pk).update(
        review_state=UpdateReviewState.APPROVED, reviewed_at="2024-07-01T00:00Z"
    )
    added.refresh_from_db()
    MembershipFactory(user=member_a, entity=MembershipFactory().entity)  # a second entity

    with pytest.raises(PermissionDenied):
        services.remove_attachment(attachment=added, by=member_a)
    services.remove_attachment(attachment=added, by=secretariat)

    assert not Attachment.objects.exists()
