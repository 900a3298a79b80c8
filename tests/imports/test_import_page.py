"""The secretariat's Import page: upload, confirm the mapping, see the dry run, import or
cancel; nobody else gets in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from imports.models import ImportJob, ImportState, SavedMapping
from pledges.models import Pledge

from .conftest import sample

pytestmark = pytest.mark.django_db


def upload(client: Client, content: bytes, name: str = "grf.csv"):
    return client.post(
        reverse("imports:list"),
        {"kind": "pledges", "file": SimpleUploadedFile(name, content, "text/csv")},
    )


def confirm(client: Client, job: ImportJob, **extra: str):
    """Post the mapping form as proposed (every column as matched), with `extra` options."""
    page = client.get(reverse("imports:detail", args=[job.public_id]))
    form = page.context["form"]
    data = {f"column_{i}": job.columns.get(h, "") for i, h in enumerate(form.headers)}
    data.update(extra)
    return client.post(reverse("imports:detail", args=[job.public_id]), data, follow=True)


def test_the_secretariat_uploads_checks_and_imports_a_file_when_the_dry_run_is_clean(
    client, secretariat, known_entities
):
    client.force_login(secretariat)
    content = sample("grf_pledges_bom_semicolon.csv").replace(b";Kenia;", b";Kenya;")

    response = upload(client, content)
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:detail", args=[job.public_id])
    assert job.header_row == 3
    assert job.columns["Montant"] == "amount"

    checked = confirm(client, job, create_verified="on", publish="on", save_as="GRF database")
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED
    assert Pledge.objects.count() == 0
    assert "3 rows to create" in checked.content.decode()
    assert SavedMapping.objects.get(name="GRF database").columns["Pledge ID"] == "external_id"

    done = client.post(reverse("imports:commit", args=[job.public_id]), follow=True)

    job.refresh_from_db()
    assert job.state == ImportState.COMMITTED
    assert "The file was imported." in done.content.decode()
    assert Pledge.objects.count() == 3
    assert (
        AuditEntry.objects.filter(
            action="pledges.pledge.created", reason=f"Import {job.pk} of grf.csv"
        ).count()
        == 3
    )


def test_the_dry_run_lists_the_bad_row_and_offers_no_import_when_a_row_is_wrong(
    client, secretariat, known_entities
):
    client.force_login(secretariat)
    upload(client, sample("grf_pledges_bom_semicolon.csv"))
    job = ImportJob.objects.get()

    page = confirm(client, job, create_verified="on", publish="on").content.decode()

    assert "1 row in error" in page
    assert "did you mean Kenya?" in page
    assert reverse("imports:commit", args=[job.public_id]) not in page
    refused = client.post(reverse("imports:commit", args=[job.public_id]), follow=True)
    assert "Only a dry run without errors can be imported." in refused.content.decode()
    assert Pledge.objects.count() == 0


def test_an_unreadable_upload_is_refused_on_the_form_when_it_is_not_a_table(client, secretariat):
    client.force_login(secretariat)

    response = upload(client, b"PK\x03\x04 not really a workbook", name="broken.xlsx")

    assert response.status_code == 200
    assert "This XLSX file cannot be opened" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_cancelled_import_can_no_longer_be_imported_when_cancelled_before_commit(
    client, secretariat, known_entities
):
    client.force_login(secretariat)
    upload(client, sample("hlom_pledges_windows1252.csv"))
    job = ImportJob.objects.get()
    confirm(client, job, create_verified="on", publish="on")

    client.post(reverse("imports:cancel", args=[job.public_id]))
    client.post(reverse("imports:commit", args=[job.public_id]))

    job.refresh_from_db()
    assert job.state == ImportState.CANCELLED
    assert Pledge.objects.count() == 0


def test_the_progress_address_opens_the_whole_import_page_when_not_polled(
    client, secretariat, known_entities
):
    client.force_login(secretariat)
    upload(client, sample("hlom_pledges_windows1252.csv"))
    job = ImportJob.objects.get()
    url = reverse("imports:progress", args=[job.public_id])

    polled = client.get(url, headers={"HX-Request": "true"})
    opened = client.get(url)

    assert polled.status_code == 200
    assert not polled.content.decode().lstrip().startswith("<!DOCTYPE")  # the bar alone
    assert opened.status_code == 302
    assert opened["Location"] == reverse("imports:detail", args=[job.public_id])


@pytest.mark.parametrize("role", ["member_a", "member_b"])
def test_the_import_page_is_forbidden_when_the_user_is_not_the_secretariat(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("imports:list")).status_code == 403
    assert upload(client, b"a,b\r\n1,2\r\n").status_code == 403


def test_the_import_page_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("imports:list"))

    assert response.status_code == 302
    assert "login" in response.url
