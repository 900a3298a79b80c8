"""The page where a pledge's editors (or the secretariat) choose which collective goals its
targets count towards. The pledge page links here by URL name; pledges imports nothing from
this app. A pledge the user may not see answers 404, one they may see but not change 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest
from pledges.models import Pledge

from . import services
from .forms import ContributionForm
from .models import GoalContribution


def _pledge_for_goals(request: AuthenticatedHttpRequest, reference: str) -> Pledge:
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user).select_related("compact", "forum", "entity"),
        reference=reference,
    )
    if not services.may_count_towards_goals(pledge, request.user):
        raise PermissionDenied(_("You cannot change which goals this pledge counts towards now."))
    return pledge


def _page_url(pledge: Pledge) -> str:
    return reverse("goals:pledge-goals", args=[pledge.reference])


@login_required
@require_http_methods(["GET", "POST"])
def pledge_goals(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The pledge's targets, the goals each counts towards, and the form to count one more."""
    pledge = _pledge_for_goals(request, reference)
    form = ContributionForm(request.POST if request.method == "POST" else None, pledge=pledge)
    if form.is_bound and form.is_valid():
        try:
            services.add_contribution(
                goal=form.cleaned_data["goal"], target=form.cleaned_data["target"], by=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The target now counts towards the goal."))
            return redirect(_page_url(pledge))
    contributions = (
        GoalContribution.objects.filter(target__pledge=pledge)
        .select_related("goal__forum", "target")
        .order_by("target_id", "goal__position", "goal_id")
    )
    return render(
        request,
        "goals/pledge_goals.html",
        {
            "pledge": pledge,
            "contributions": contributions,
            "form": form,
            "has_targets": pledge.targets.exists(),
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
@login_required
def contribution_remove(request: AuthenticatedHttpRequest, reference: str, pk: int) -> HttpResponse:
    """Stop counting one target towards one goal."""
    pledge = _pledge_for_goals(request, reference)
    contribution = get_object_or_404(GoalContribution, pk=pk, target__pledge=pledge)
    services.remove_contribution(contribution=contribution, by=request.user)
    messages.success(request, _("The target no longer counts towards the goal."))
    return redirect(_page_url(pledge))
