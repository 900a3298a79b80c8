"""The secretariat's reporting-round pages: the list, create, edit and close early (with a
confirmation). Thin: the forms check the shape, `forums.services` writes and audits."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import apply_service_error

from . import services
from .forms import CloseRoundForm, RoundForm
from .models import ReportingRound, RoundStatus


def secretariat_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Anonymous visitors log in; other users without the review permission get 403."""
    return login_required(
        permission_required(services.SECRETARIAT_PERMISSION, raise_exception=True)(view)
    )


@secretariat_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    """Every round, newest first per compact, with its status today."""
    rounds = ReportingRound.objects.select_related("compact", "forum").order_by(
        "-opens_on", "compact__code", "id"
    )
    return render(
        request,
        "forums/round_list.html",
        {"rounds": rounds, "today": timezone.localdate(), "open": RoundStatus.OPEN},
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.create_round(data=form.to_input(), by=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Reporting round “%(title)s” created.") % {"title": round_})
            return redirect("forums:round-list")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "forums/round_form.html", {"form": form}, status=status)


@secretariat_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(ReportingRound.objects.select_related("compact", "forum"), pk=pk)
    form = RoundForm(request.POST if request.method == "POST" else None, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_round(round_=round_, data=form.to_input(), by=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Reporting round “%(title)s” saved.") % {"title": round_})
            return redirect("forums:round-list")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "forums/round_form.html",
        {"form": form, "round": round_, "close_form": CloseRoundForm()},
        status=status,
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST closes the round from today on."""
    round_ = get_object_or_404(ReportingRound.objects.select_related("compact", "forum"), pk=pk)
    form = CloseRoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_round(round_=round_, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Reporting round “%(title)s” closed.") % {"title": round_})
        return redirect("forums:round-list")
    return render(request, "forums/round_close.html", {"round": round_, "form": form})
