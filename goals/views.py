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
from partnerships.models import MultistakeholderPledge
from partnerships.services import can_manage
from pledges.models import Pledge

from . import services
from .forms import ContributionForm, MspGoalForm
from .models import Goal, GoalContribution


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
        .select_related("goal__forum", "goal__msp", "target")
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


# --- goals of multistakeholder pledges ----------------------------------------------------------


def _managed_msp(request: AuthenticatedHttpRequest, slug: str) -> MultistakeholderPledge:
    """Every MSP is public (partnerships.selectors.listed): one nobody may manage answers 403."""
    msp = get_object_or_404(MultistakeholderPledge, slug=slug)
    if not can_manage(request.user, msp):
        raise PermissionDenied(_("Only the secretariat and the lead entities can manage this."))
    return msp


def _msp_goals_url(msp: MultistakeholderPledge) -> str:
    return reverse("goals:msp-goals", args=[msp.slug])


def _save_msp_goal(
    request: AuthenticatedHttpRequest,
    msp: MultistakeholderPledge,
    form: MspGoalForm,
    goal: Goal | None,
) -> bool:
    if not (form.is_bound and form.is_valid()):
        return False
    try:
        services.save_msp_goal(msp=msp, data=form.to_input(), by=request.user, goal=goal)
    except ValidationError as error:
        apply_service_error(form, error)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def msp_goals(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """An MSP's goals, each with edit and remove links, and the form to add one."""
    msp = _managed_msp(request, slug)
    form = MspGoalForm(request.POST if request.method == "POST" else None)
    if _save_msp_goal(request, msp, form, None):
        messages.success(request, _("Goal added."))
        return redirect(_msp_goals_url(msp))
    return render(
        request,
        "goals/msp_goals.html",
        {
            "msp": msp,
            "goals": Goal.objects.filter(msp=msp).order_by("position", "id"),
            "form": form,
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def msp_goal_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    msp = _managed_msp(request, slug)
    goal = get_object_or_404(Goal, pk=pk, msp=msp)
    initial = {
        "text": goal.text,
        "unit": goal.unit,
        "target_value": goal.target_value,
        "target_year": goal.target_year,
        "source": goal.source,
    }
    form = MspGoalForm(request.POST if request.method == "POST" else None, initial=initial)
    if _save_msp_goal(request, msp, form, goal):
        messages.success(request, _("Goal saved."))
        return redirect(_msp_goals_url(msp))
    return render(
        request,
        "goals/msp_goal_edit.html",
        {
            "msp": msp,
            "goal": goal,
            "form": form,
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def msp_goal_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Confirm (GET), then remove (POST) one goal of an MSP."""
    msp = _managed_msp(request, slug)
    goal = get_object_or_404(Goal, pk=pk, msp=msp)
    if request.method == "POST":
        services.remove_msp_goal(goal=goal, by=request.user)
        messages.success(request, _("Goal removed."))
        return redirect(_msp_goals_url(msp))
    return render(
        request,
        "goals/msp_goal_remove.html",
        {"msp": msp, "goal": goal, "contributions": goal.contributions.count()},
    )
