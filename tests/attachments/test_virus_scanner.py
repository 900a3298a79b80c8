"""The scanner hook asks clamd (INSTREAM over its socket, through clamav-client) before a file
is accepted: a virus is refused with a field message, and so is a file clamd cannot check."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from attachments import services
from attachments.models import Attachment
from pledges.models import Pledge

from . import files
from .conftest import stored_files, upload

pytestmark = pytest.mark.django_db


def _add(pledge: Pledge, by: User, content: bytes) -> Attachment:
    file = upload(content, "evidence.csv")
    return services.add_attachment(pledge=pledge, file=file, name="x.csv", size=file.size, by=by)


def test_a_virus_is_refused_and_nothing_stored_when_clamd_finds_one(
    pledges: dict[str, Pledge], member_a: User, settings: Any, clamd_socket: str
) -> None:
    settings.CLAMD_SOCKET = clamd_socket
    infected = b"Name;Note\nEICAR;" + files.EICAR + b"\n"

    with pytest.raises(ValidationError) as refused:
        _add(pledges["draft"], member_a, infected)

    assert "Win.Test.EICAR_HDB-1" in refused.value.message_dict["file"][0]
    assert stored_files() == []
    assert _add(pledges["draft"], member_a, files.CSV).content_type == "text/csv"


def test_a_file_is_refused_when_clamd_cannot_be_reached(
    pledges: dict[str, Pledge], member_a: User, settings: Any, tmp_path: Any
) -> None:
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd-here.ctl")

    with pytest.raises(ValidationError, match="could not be checked for viruses"):
        _add(pledges["draft"], member_a, files.CSV)

    assert not Attachment.objects.exists()


def test_the_scanner_is_the_callable_the_setting_names(
    pledges: dict[str, Pledge], member_a: User, settings: Any
) -> None:
    settings.ATTACHMENT_SCANNER = "tests.attachments.test_virus_scanner.refuse_everything"

    with pytest.raises(ValidationError, match=r"Custom\.Signature"):
        _add(pledges["draft"], member_a, files.CSV)


def refuse_everything(file: Any) -> Any:
    from attachments.scanning import Verdict

    return Verdict(infected=True, signature="Custom.Signature")
