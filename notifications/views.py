"""The in-app notification list, the preferences per kind, and the one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.http import AuthenticatedHttpRequest

from . import services
from .delivery import read_unsubscribe_token
from .forms import PreferencesForm
from .models import Kind, Notification

PER_PAGE = 25


@login_required
@require_http_methods(["GET"])
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's notifications, newest first, unread ones marked."""
    notes = Notification.objects.for_user(request.user)
    page = Paginator(notes, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and open its page (another person's answers 404)."""
    note = services.mark_read(user=request.user, notification_id=pk)
    if note is None:
        raise Http404
    target = note.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per kind: e-mail (and in the tracker), in the tracker only, or off."""
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.set_preferences(user=request.user, channels=form.cleaned_data)
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
        status = 400
    else:
        form = PreferencesForm(initial=services.channels_of(request.user))
        status = 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


@csrf_exempt  # RFC 8058: mail clients POST `List-Unsubscribe=One-Click` without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners follow GETs and must not unsubscribe anyone); POST
    unsubscribes, whether from the page's button or from the mail client's one-click."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    email, kind = found
    context = {"email": email, "kind_label": Kind(kind).label, "token": token}
    if request.method == "POST":
        services.unsubscribe(email=email, kind=kind)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
