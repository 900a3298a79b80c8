"""The secretariat's review queues: pledges awaiting an editorial decision, and progress updates
awaiting review.

Views stay thin: a form checks the shape of the request, a service decides and writes
(`transition_pledge`, `bulk_publish`, `review_update`), and the view turns the service's answer
into a page: ValidationError → form errors, TransitionNotAllowed → a message, PermissionDenied →
403 (left to Django).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from compacts.models import Objective
from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest

from ..duplicates import similar_pledges
from ..exceptions import TransitionNotAllowed
from ..models import (
    Pledge,
    PledgeUpdate,
    PledgeUpdateActual,
    ReviewState,
    UpdateReviewState,
)
from ..resubmission import changes_since_last_submission
from ..review_forms import (
    BulkPublishForm,
    DuplicateForm,
    PledgeDecisionForm,
    PledgeQueueFilter,
    UpdateDecisionForm,
    UpdateQueueFilter,
)
from ..services import (
    BulkActionRefused,
    bulk_publish,
    duplicate_link,
    mark_duplicate,
    review_update,
    transition_pledge,
    unmark_duplicate,
)
from ..workflow import AWAITING_REVIEW, PLEDGE_TRANSITIONS, REVIEW_PERMISSION, UPDATE_TRANSITIONS
from .download_links import queue_download_urls

PAGE_SIZE = 25


def secretariat_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Anonymous visitors are sent to log in; a logged-in user without the review permission
    gets 403 rather than a login page they could never get past."""
    return login_required(permission_required(REVIEW_PERMISSION, raise_exception=True)(view))


def _next_url(request: HttpRequest, candidate: str | None, default: str) -> str:
    """Where to go after a decision: back to the queue page (with its filters) the reviewer
    came from, but never to another site."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


DecisionForm = TypeVar("DecisionForm", bound=forms.Form)


@dataclass
class DecisionRound(Generic[DecisionForm]):
    """One pass of a decision page (`decision_round`): `done` is the redirect to answer when the
    decision was taken or refused by the workflow; otherwise the page shows `form` again (with
    the service's errors beside the fields, status 400) or for the first time (200)."""

    form: DecisionForm
    next_url: str
    status: int = 200
    done: HttpResponse | None = None


def decision_round(
    request: AuthenticatedHttpRequest,
    *,
    form_class: type[DecisionForm],
    default: str,
    take: Callable[[str, str], object],
    success: Callable[[str], str],
    refused_to: str | None = None,
) -> DecisionRound[DecisionForm]:
    """The shape every review decision shares (a pledge, a progress update, a resource): the
    form checks the request, `take(action, reason)` calls the service, and its answer becomes a
    page: ValidationError → field errors, TransitionNotAllowed (someone decided first) → a
    message and back to `refused_to` (the queue the reviewer came from by default), success →
    `success(action)` as a message and back to the queue."""
    if request.method != "POST":
        next_url = _next_url(request, request.GET.get("next"), default)
        return DecisionRound(form_class(initial={"next": next_url}), next_url)
    form = form_class(request.POST)
    next_url = _next_url(request, request.POST.get("next"), default)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            take(action, form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_error(form, error)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return DecisionRound(form, next_url, done=redirect(refused_to or next_url))
        else:
            messages.success(request, success(action))
            return DecisionRound(form, next_url, done=redirect(next_url))
    return DecisionRound(form, next_url, status=400)


def _remembered_filters(
    request: HttpRequest, key: str, make_filter: Callable[[Any], Any]
) -> HttpResponse | None:
    """Keep a reviewer's queue filters across visits (in their session, per queue): a visit with
    filters remembers the valid ones; a visit without any is sent to the remembered ones that
    still exist (a forum deleted or an entity with nothing pending any more is dropped);
    `?clear=1` forgets them. Returns the redirect to make, if any."""
    session_key = f"review-filters:{key}"
    if "clear" in request.GET:
        request.session.pop(session_key, None)
        return redirect(request.path)
    names = list(make_filter(None).filters)
    if not any(request.GET.get(name) for name in names):
        saved = request.session.get(session_key)
        if not saved:
            return None
        params = QueryDict(saved, mutable=True)
        check = make_filter(params)
        for name in [*check.form.errors, *(n for n in params if n not in names)]:
            params.pop(name, None)
        if not params:
            request.session.pop(session_key, None)
            return None
        request.session[session_key] = params.urlencode()
        if request.GET.get("page"):
            params["page"] = request.GET["page"]
        return redirect(f"{request.path}?{params.urlencode()}")
    given = make_filter(request.GET)
    kept = QueryDict(mutable=True)
    for name in names:
        values = [v for v in request.GET.getlist(name) if v.strip()]
        if values and name not in given.form.errors:
            kept.setlist(name, values)
    request.session[session_key] = kept.urlencode()
    return None


def _paginate(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --------------------------------------------------------------------------------------------
# Pledges awaiting a decision
# --------------------------------------------------------------------------------------------


@secretariat_required
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Submitted and resubmitted pledges, the longest-waiting first."""
    remembered = _remembered_filters(
        request, "pledges", lambda data: PledgeQueueFilter(data, queryset=Pledge.objects.none())
    )
    if remembered is not None:
        return remembered
    awaiting = Pledge.objects.visible_to(request.user).filter(review_state__in=AWAITING_REVIEW)
    counts = awaiting.aggregate(
        total=Count("id"),
        submitted=Count("id", filter=Q(review_state=ReviewState.SUBMITTED)),
        resubmitted=Count("id", filter=Q(review_state=ReviewState.RESUBMITTED)),
    )
    rows = (
        awaiting.select_related("entity", "compact", "forum")
        .prefetch_related(Prefetch("objectives", queryset=Objective.objects.order_by("number")))
        .order_by(F("submitted_at").asc(nulls_last=True), "id")
    )
    queue_filter = PledgeQueueFilter(request.GET, queryset=rows)
    context = {
        "filter": queue_filter,
        "page_obj": _paginate(request, queue_filter.qs),
        "counts": counts,
        "transitions": {name: PLEDGE_TRANSITIONS[name] for name in PledgeDecisionForm.actions},
        "filtered": any(request.GET.get(name) for name in queue_filter.filters),
        "downloads": queue_download_urls(request, "pledges:update-queue-export", "page"),
    }
    return render(request, "pledges/review/pledge_queue.html", context)


DECISION_MESSAGES = {
    "publish": lambda ref: _("%(reference)s is published.") % {"reference": ref},
    "request_changes": lambda ref: (
        _("Changes requested on %(reference)s; the submitter will see your reason.")
        % {"reference": ref}
    ),
    "reject": lambda ref: (
        _("%(reference)s is rejected; the submitter will see your reason.") % {"reference": ref}
    ),
}


@secretariat_required
@require_http_methods(["GET", "POST"])
def review_decision(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Publish, request changes on or reject one pledge. The queue posts here from each row;
    the page itself shows the decision form again when the reason was missing (and works as
    a plain fallback for a single decision)."""
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user)
        .select_related("entity__entity_type", "compact", "forum", "currency", "support_platform")
        .prefetch_related("beneficiary_countries", "thematic_areas", "support_types", "actions"),
        reference=reference,
    )
    # A decision someone else took first, or a pledge its submitter withdrew, goes back to the
    # queue, where the row is gone.
    decided = decision_round(
        request,
        form_class=PledgeDecisionForm,
        default="pledges:review-queue",
        take=lambda action, reason: transition_pledge(
            pledge=pledge, action=action, by=request.user, reason=reason
        ),
        success=lambda action: DECISION_MESSAGES[action](pledge.reference),
    )
    if decided.done:
        return decided.done
    form, next_url, status = decided.form, decided.next_url, decided.status
    return _render_decision(request, pledge, form=form, next_url=next_url, status=status)


def _render_decision(
    request: AuthenticatedHttpRequest,
    pledge: Pledge,
    *,
    form: PledgeDecisionForm,
    next_url: str,
    duplicate_form: DuplicateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The decision page: the whole pledge, what changed since its last submission when it was
    resubmitted, the pledges it may repeat and its "duplicate of" link."""
    context = {
        "pledge": pledge,
        "changes": (
            changes_since_last_submission(pledge)
            if pledge.review_state == ReviewState.RESUBMITTED
            else None
        ),
        "targets": pledge.targets.order_by("id"),
        "participants": pledge.participants.select_related("entity").order_by("entity__name"),
        "form": form,
        "next_url": next_url,
        "awaiting": pledge.review_state in AWAITING_REVIEW,
        "objectives": pledge.objectives.order_by("number"),
        "transitions": {name: PLEDGE_TRANSITIONS[name] for name in PledgeDecisionForm.actions},
        "similar": similar_pledges(pledge, viewer=request.user),
        "duplicate": duplicate_link(pledge),
        "duplicate_form": duplicate_form or DuplicateForm(),
    }
    return render(request, "pledges/review/pledge_decision.html", context, status=status)


@secretariat_required
@require_POST
def review_duplicate(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Mark the pledge as a duplicate of another one, or take that back (`duplicate`); refusals
    show the decision page again with the error beside the field, and change nothing."""
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user).select_related(
            "entity__entity_type", "compact", "forum"
        ),
        reference=reference,
    )
    page = reverse("pledges:review-decision", args=[pledge.reference])
    form = DuplicateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["duplicate"] == "mark":
                link = mark_duplicate(
                    pledge=pledge,
                    target_reference=data["target"],
                    by=request.user,
                    reason=data["reason"],
                )
                done = _("%(reference)s is marked as a duplicate of %(target)s.") % {
                    "reference": pledge.reference,
                    "target": link.target.reference,
                }
            else:
                unmark_duplicate(pledge=pledge, by=request.user, reason=data["reason"])
                done = _("%(reference)s is no longer marked as a duplicate.") % {
                    "reference": pledge.reference
                }
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect(f"{page}#duplicate")
    next_url = _next_url(request, None, "pledges:review-queue")
    decision = PledgeDecisionForm(initial={"next": next_url})
    return _render_decision(
        request, pledge, form=decision, next_url=next_url, duplicate_form=form, status=400
    )


@secretariat_required
@require_POST
def review_bulk_publish(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Publish the ticked pledges together: all of them, or none and say which ones refused
    and why (every one of them, so that the reviewer can fix them all in one go)."""
    form = BulkPublishForm(request.POST, user=request.user)
    next_url = _next_url(request, request.POST.get("next"), "pledges:review-queue")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))  # ErrorList yields the messages as str
        return redirect(next_url)
    try:
        published = bulk_publish(pledges=list(form.cleaned_data["pledges"]), by=request.user)
    except BulkActionRefused as refused:
        for refusal in refused.refusals:
            messages.error(
                request,
                _("Nothing was published: %(reference)s cannot be published. %(reason)s")
                % {"reference": refusal.reference, "reason": refusal.reason},
            )
    else:
        messages.success(
            request,
            ngettext("%(count)d pledge published.", "%(count)d pledges published.", len(published))
            % {"count": len(published)},
        )
    return redirect(next_url)


# --------------------------------------------------------------------------------------------
# Progress updates awaiting review
# --------------------------------------------------------------------------------------------


def pending_updates() -> QuerySet[PledgeUpdate]:
    """The queue's rows before its filters: pending updates, the longest-waiting first (the
    page and its download list the same)."""
    return (
        PledgeUpdate.objects.filter(review_state=UpdateReviewState.PENDING)
        .select_related(
            "pledge__entity", "pledge__compact", "pledge__forum", "submitted_by", "entity"
        )
        .order_by("created_at", "id")
    )


@secretariat_required
def update_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Pending progress updates, the longest-waiting first."""
    remembered = _remembered_filters(
        request,
        "updates",
        lambda data: UpdateQueueFilter(data, queryset=PledgeUpdate.objects.none()),
    )
    if remembered is not None:
        return remembered
    queue_filter = UpdateQueueFilter(request.GET, queryset=pending_updates())
    context = {
        "filter": queue_filter,
        "page_obj": _paginate(request, queue_filter.qs),
        "total": PledgeUpdate.objects.filter(review_state=UpdateReviewState.PENDING).count(),
        "filtered": any(request.GET.get(name) for name in queue_filter.filters),
        "downloads": queue_download_urls(request, "pledges:update-queue-export", "page"),
    }
    return render(request, "pledges/review/update_queue.html", context)


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part` as a percentage of `whole`; None (shown as missing) when either is unknown or the
    whole is zero, never a made-up 0 %."""
    if part is None or not whole:
        return None
    return part * 100 / whole


def _target_rows(update: PledgeUpdate) -> list[dict[str, Any]]:
    """Each target of the pledge with the value reported now and the last approved one.
    Actuals are cumulative, so the latest approved value is the one to compare with."""
    pledge = update.pledge
    reported = {a.target_id: a.value for a in update.actuals.all()}
    approved: dict[int, Decimal] = {}
    for actual in (
        PledgeUpdateActual.objects.filter(
            update__pledge=pledge, update__review_state=UpdateReviewState.APPROVED
        )
        .exclude(update=update)
        .order_by("update__reported_on", "update_id")
    ):
        approved[actual.target_id] = actual.value
    return [
        {
            "target": target,
            "reported": reported.get(target.pk),
            "share": _share(reported.get(target.pk), target.target_value),
            "approved": approved.get(target.pk),
        }
        for target in pledge.targets.all()
    ]


UPDATE_DECISION_MESSAGES = {
    "approve": lambda ref: (
        _("The update on %(reference)s is approved and now counts in the figures.")
        % {"reference": ref}
    ),
    "return": lambda ref: (
        _("The update on %(reference)s is returned; the submitter will see your reason.")
        % {"reference": ref}
    ),
}


@secretariat_required
@require_http_methods(["GET", "POST"])
def update_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One progress update with everything needed to judge it, and the Approve / Return form."""
    update = get_object_or_404(
        PledgeUpdate.objects.select_related(
            "pledge__entity",
            "pledge__compact",
            "pledge__forum",
            "pledge__currency",
            "submitted_by",
            "reviewed_by",
            "entity",
            "round",
        ),
        pk=pk,
    )
    pledge = update.pledge
    # Already approved or returned (perhaps by a colleague a moment ago): show the update
    # again, which now says who decided what.
    decided = decision_round(
        request,
        form_class=UpdateDecisionForm,
        default="pledges:update-queue",
        take=lambda action, reason: review_update(
            update=update, action=action, by=request.user, reason=reason
        ),
        success=lambda action: UPDATE_DECISION_MESSAGES[action](pledge.reference),
        refused_to=reverse("pledges:update-review", args=[update.pk]),
    )
    if decided.done:
        return decided.done
    form, next_url, status = decided.form, decided.next_url, decided.status
    previous = (
        pledge.updates.filter(review_state=UpdateReviewState.APPROVED)
        .exclude(pk=update.pk)
        .order_by("-reported_on", "-id")
    )
    context = {
        "update": update,
        "pledge": pledge,
        "form": form,
        "next_url": next_url,
        "pending": update.review_state == UpdateReviewState.PENDING,
        "targets": _target_rows(update),
        "disbursed_share": _share(update.disbursed_amount, pledge.amount),
        "objectives": pledge.objectives.order_by("number"),
        "previous": previous,
        "transitions": UPDATE_TRANSITIONS,
    }
    return render(request, "pledges/review/update_review.html", context, status=status)
