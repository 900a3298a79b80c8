"""The secretariat's "send a reminder now": a preview of the e-mail, then a confirmation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.http import AuthenticatedHttpRequest
from pledges.models import Pledge
from pledges.views.review import secretariat_required

from . import services
from .models import Reminder


@secretariat_required
@require_http_methods(["GET", "POST"])
def remind_now(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user).published().select_related("entity"),
        reference=reference,
    )
    error = ""
    if request.method == "POST":
        try:
            reminder = services.send_reminder_now(pledge=pledge, by=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request,
                _("A reminder about %(ref)s was sent to %(email)s.")
                % {"ref": pledge.reference, "email": reminder.sent_to},
            )
            return redirect("reports:overdue-list")
    recipient, message = services.preview_reminder(pledge)
    context = {
        "pledge": pledge,
        "recipient": recipient,
        "message": message,
        "error": error,
        "sent": Reminder.objects.filter(pledge=pledge).select_related("sent_by")[:20],
    }
    return render(request, "reminders/remind_now.html", context, status=400 if error else 200)
