"""The secretariat's Import page: upload, choose the sheet and confirm the mapping, see the dry
run, then import or cancel. Small files are checked while the page waits; larger ones by a
Celery worker, the page polling their progress, so it can be left and come back.

Views stay thin: `imports.services` does the work, `imports.tasks` runs it in the background.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import HtmxHttpRequest
from pledges.views.review import secretariat_required

from . import services, tasks
from .forms import MappingForm, UploadForm
from .models import ImportJob, ImportState

PAGE_SIZE = 20


def _start(job: ImportJob, *, commit: bool) -> None:
    """Run the dry run (or the commit) now for a small file; for a larger one, move the job to
    its running state (so the page shows the progress bar at once) and queue it for a worker
    once that is committed."""
    if not services.runs_in_background(job):
        services.run_job(job.pk, commit=commit)
        return
    if services.queue_job(job.pk, commit=commit):
        task = tasks.commit_import_task if commit else tasks.check_import_task
        transaction.on_commit(lambda: task.delay(job.pk))


@secretariat_required
def import_list(request: HttpRequest) -> HttpResponse:
    """The upload form and the imports so far, newest first."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.create_job(
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                content=upload.read(),
                by=request.user,  # type: ignore[arg-type]  # secretariat_required: signed in
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            return redirect("imports:detail", public_id=job.public_id)
    page_obj = Paginator(
        ImportJob.objects.defer("content", "report").select_related("created_by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "imports/import_list.html", {"form": form, "page_obj": page_obj})


def _mapping_form(request: HttpRequest, job: ImportJob) -> MappingForm | None:
    try:
        table = services.describe_job(job)
    except services.ImportRefused as error:
        messages.error(request, str(error))
        return None
    initial: dict[str, Any] = {
        "sheet": job.sheet,
        "header_row": job.header_row,
        "create_verified": job.create_verified,
        "publish": job.publish,
    }
    headers = [h for h in table.headers if h]
    for index, header in enumerate(headers):
        initial[f"column_{index}"] = job.columns.get(header, "")
    return MappingForm(
        request.POST if request.method == "POST" else None,
        job=job,
        headers=headers,
        initial=initial,
    )


@secretariat_required
def import_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """One import: its mapping form until the dry run, the progress while it runs, its report
    after."""
    job = get_object_or_404(ImportJob, public_id=public_id)
    form = None
    if job.state in (ImportState.UPLOADED, ImportState.CHECKED, ImportState.FAILED):
        form = _mapping_form(request, job)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            job = services.configure_job(
                job=job,
                sheet=form.cleaned_data.get("sheet") or "",
                header_row=form.cleaned_data.get("header_row"),
                columns=form.columns(),
                create_verified=form.cleaned_data["create_verified"],
                publish=form.cleaned_data["publish"],
                save_as=form.cleaned_data["save_as"],
                by=request.user,  # type: ignore[arg-type]  # secretariat_required: signed in
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            _start(job, commit=False)
            return redirect("imports:detail", public_id=job.public_id)
    done, total = services.job_progress(job)
    report = job.report or {}
    rows = report.get("rows", [])
    context = {
        "job": job,
        "form": form,
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else 0,
        "report": report,
        "counts": report.get("counts"),
        "errors": [r for r in rows if r["action"] == "error"],
        "changes": [r for r in rows if r["action"] in ("create", "update")],
    }
    return render(request, "imports/import_detail.html", context)


@secretariat_required
def import_progress(request: HtmxHttpRequest, public_id: str) -> HttpResponse:
    """The progress bar alone, polled by htmx while the job runs; once it is done, htmx is told
    to reload the whole page (its report)."""
    job = get_object_or_404(ImportJob.objects.defer("content"), public_id=public_id)
    if not request.htmx:  # opened as a page (a bookmark, a shared link): the whole page
        return redirect("imports:detail", public_id=job.public_id)
    done, total = services.job_progress(job)
    response = render(
        request,
        "imports/_progress.html",
        {
            "job": job,
            "done": done,
            "total": total,
            "percent": min(100, round(100 * done / total)) if total else 0,
        },
    )
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@secretariat_required
@require_POST
def import_commit(request: HttpRequest, public_id: str) -> HttpResponse:
    job = get_object_or_404(ImportJob, public_id=public_id)
    if job.state != ImportState.CHECKED or job.counts.get("error"):
        messages.error(request, _("Only a dry run without errors can be imported."))
        return redirect("imports:detail", public_id=job.public_id)
    _start(job, commit=True)
    job.refresh_from_db()
    if job.state == ImportState.COMMITTED:
        messages.success(request, _("The file was imported."))
    elif job.state == ImportState.CHECKED and not services.runs_in_background(job):
        messages.error(request, _("Rows are in error: nothing was written."))
    return redirect("imports:detail", public_id=job.public_id)


@secretariat_required
@require_POST
def import_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    job = get_object_or_404(ImportJob, public_id=public_id)
    if services.cancel_job(job=job, by=request.user):  # type: ignore[arg-type]  # signed in
        messages.success(request, _("The import was cancelled; nothing was written."))
    else:
        messages.error(request, _("This import can no longer be cancelled."))
    return redirect("imports:list")
