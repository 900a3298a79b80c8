"""Attachments on the web: the attachments page of a pledge and of a progress update (the files
anyone who may see it may download; the upload form and removal for those who may change them),
the removal's confirmation, and the download.

A pledge or update the user may not see answers 404 (`visible_to`); one they may see but not
change, 403 on a write. Downloads are always `Content-Disposition: attachment` with the type
detected at upload and `nosniff`: a file is never rendered by the browser in the site's origin.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.authentication import ApiKeyAuthentication
from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge, PledgeUpdate
from pledges.workflow import is_secretariat

from . import services
from .forms import AttachmentForm
from .models import Attachment
from .storage import attachment_storage


def _visible_pledge(request: HttpRequest, reference: str) -> Pledge:
    return get_object_or_404(
        Pledge.objects.visible_to(request.user).select_related("entity"), reference=reference
    )


def _visible_update(request: HttpRequest, reference: str, update: uuid.UUID) -> PledgeUpdate:
    return get_object_or_404(
        PledgeUpdate.objects.visible_to(request.user).select_related(
            "pledge__entity", "entity", "round", "submitted_by"
        ),
        pledge__reference=reference,
        public_id=update,
    )


def _attachments_page(
    request: HttpRequest, pledge: Pledge, update: PledgeUpdate | None, here: str
) -> HttpResponse:
    """The files of `pledge` (or of its `update`), and the upload form if the user may add."""
    may_change = services.may_change_attachments(pledge, update, request.user)
    form = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_change:
            raise PermissionDenied(_("You cannot attach files here."))
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                added = services.add_attachment(
                    pledge=pledge,
                    update=update,
                    file=upload,
                    name=upload.name or "",
                    size=upload.size or 0,
                    by=request.user,  # signed in: checked above
                )
            except ValidationError as error:
                apply_service_error(form, error)
            except TransitionNotAllowed as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("“%(name)s” attached.") % {"name": added.name})
                return redirect(here)
    elif may_change:
        form = AttachmentForm()
    files = Attachment.objects.filter(pledge=pledge, update=update).select_related("update")
    response = render(
        request,
        "attachments/attachment_page.html",
        {
            "pledge": pledge,
            "update": update,
            "attachments": files,
            "form": form,
            "may_change": may_change,
            "is_secretariat": is_secretariat(request.user),
            "error_summary": form.error_summary() if form is not None and form.is_bound else [],
        },
    )
    if form is not None and form.is_bound:
        response.status_code = 400
    return response


@require_http_methods(["GET", "POST"])
def pledge_attachments(request: HttpRequest, reference: str) -> HttpResponse:
    """The pledge's own attachments (its updates' are on their pages)."""
    pledge = _visible_pledge(request, reference)
    here = reverse("attachments:pledge-attachments", args=[pledge.reference])
    return _attachments_page(request, pledge, None, here)


@require_http_methods(["GET", "POST"])
def update_attachments(request: HttpRequest, reference: str, update: uuid.UUID) -> HttpResponse:
    """A progress update, as its pledge page shows it, with its attachments."""
    found = _visible_update(request, reference, update)
    here = reverse("attachments:update-attachments", args=[reference, found.public_id])
    return _attachments_page(request, found.pledge, found, here)


def _back_url(attachment: Attachment) -> str:
    if attachment.update is None:
        return reverse("attachments:pledge-attachments", args=[attachment.pledge.reference])
    return reverse(
        "attachments:update-attachments",
        args=[attachment.pledge.reference, attachment.update.public_id],
    )


@login_required
@require_http_methods(["GET", "POST"])
def attachment_remove(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Asks to confirm (GET), then removes the file (POST)."""
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user).select_related("pledge", "update"),
        public_id=public_id,
    )
    if not services.may_remove_attachment(attachment, request.user):
        raise PermissionDenied(_("You cannot remove this file."))
    back = _back_url(attachment)
    if request.method == "POST":
        services.remove_attachment(attachment=attachment, by=request.user)
        messages.success(request, _("“%(name)s” removed.") % {"name": attachment.name})
        return redirect(back)
    return render(
        request,
        "attachments/attachment_remove.html",
        {"attachment": attachment, "pledge": attachment.pledge, "back": back},
    )


def _caller(request: HttpRequest) -> object:
    """The signed-in user, or the user of the API key sent (the pledge and update API give
    these download links to programs), or nobody. A key that is not valid opens nothing."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = ApiKeyAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return AnonymousUser()
    return found[0] if found else AnonymousUser()


@require_GET
def attachment_download(request: HttpRequest, public_id: str) -> FileResponse:
    """The file, as a download, to whoever may see what it is attached to (404 otherwise)."""
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        raise Http404 from None
    attachment = Attachment.objects.visible_to(_caller(request)).filter(public_id=key).first()
    if attachment is None:
        raise Http404
    try:
        # Through the configured storage (not the field's, bound when the model loaded).
        handle = attachment_storage().open(attachment.file.name or "", "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it after all: no script, no plug-in, an opaque origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
