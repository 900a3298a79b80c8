"""Pages of the resource library (`resources:`): the public browser and resource pages, the
stakeholders' practice submissions and the secretariat's curation and review.

Views stay thin: `filters` says what a filter means, `services` decide and write, and the
views turn a service's refusal into form errors (ValidationError), a message
(TransitionNotAllowed) or 403 (PermissionDenied, left to Django).
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.audit import entries_for
from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Entity, Membership, MembershipStatus
from pledges.views.public import ActiveFilter, _without
from pledges.views.review import decision_round, secretariat_required

from .filters import SORT_CHOICES, ResourceFilter, facets
from .forms import CriteriaForm, PracticeForm, ResourceDecisionForm, ResourceForm
from .models import Resource, ResourceState
from .services import (
    create_resource,
    practice_criteria,
    resubmit_practice,
    set_practice_criteria,
    submit_practice,
    transition_resource,
    update_resource,
)
from .workflow import AWAITING_REVIEW, RESOURCE_TRANSITIONS, available_transitions, can_edit

PER_PAGE = 25


# --------------------------------------------------------------------------------------------
# Public
# --------------------------------------------------------------------------------------------


@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    """Search and facet published resources; all state lives in the query string."""
    queryset = Resource.objects.published()
    filterset = ResourceFilter(request.GET, queryset=queryset, request=request)
    faceted = facets(filterset, queryset)
    page = Paginator(filterset.qs.for_listing(), PER_PAGE).get_page(request.GET.get("page"))
    form = filterset.form
    errors = [
        (name, str(filterset.filters[name].label), message)
        for name, messages_ in form.errors.items()
        for message in messages_
    ]
    active: list[ActiveFilter] = []
    if filterset.search_text:
        active.append(
            ActiveFilter(
                legend=str(filterset.filters["q"].label),
                label=f"“{filterset.search_text}”",
                remove_url=_without(request.GET, "q", []),
            )
        )
    for facet in faceted.facets:
        chosen = [o.value for o in facet.options if o.selected]
        for option in facet.options:
            if option.selected:
                keep = [value for value in chosen if value != option.value]
                active.append(
                    ActiveFilter(
                        legend=str(facet.legend),
                        label=option.label,
                        remove_url=_without(request.GET, facet.name, keep),
                    )
                )
    return render(
        request,
        "resources/resource_list.html",
        {
            "filterset": filterset,
            "form": form,
            "errors": errors,
            "error_names": set(form.errors),
            "facets": faceted.facets,
            "total": faceted.total,
            "page": page,
            "sort_choices": SORT_CHOICES,
            "sort_key": filterset.sort_key,
            "search_text": filterset.search_text,
            "active_filters": active,
        },
    )


def _visible(request: HttpRequest, public_id: UUID) -> Resource:
    return get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("entity"), public_id=public_id
    )


@require_GET
def resource_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One resource; a practice not yet published only for its entity and the secretariat."""
    resource = _visible(request, public_id)
    return render(
        request,
        "resources/resource_detail.html",
        {
            "resource": resource,
            "objectives": resource.objectives.select_related("compact").order_by(
                "compact__code", "number"
            ),
            "principles": resource.principles.all(),
            "countries": resource.countries.all(),
            "thematic_areas": resource.thematic_areas.all(),
            "pledges": resource.pledges.published().select_related("entity"),
            "can_edit": can_edit(resource, request.user),
            "is_secretariat": bool(
                request.user.is_authenticated and request.user.has_perm("pledges.review_pledge")
            ),
        },
    )


@require_GET
def resource_file(request: HttpRequest, public_id: UUID) -> FileResponse:
    """The stored file, always as a download (never rendered inline), under its given name."""
    resource = _visible(request, public_id)
    if not resource.file:
        raise Http404
    response = FileResponse(
        resource.file.open("rb"),
        as_attachment=True,
        filename=resource.file_name or resource.file.name.rsplit("/", 1)[-1],
        content_type=resource.file_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------------------------
# Stakeholders: practices
# --------------------------------------------------------------------------------------------


def _own_entities(user: Any) -> QuerySet[Entity]:
    ids = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values("entity_id")
    return Entity.objects.filter(pk__in=ids).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def practice_submit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A stakeholder submits a practice for review, under the secretariat's criteria."""
    entities = list(_own_entities(request.user))
    criteria = practice_criteria()
    if not entities:
        return render(
            request, "resources/practice_no_entity.html", {"criteria": criteria}, status=200
        )
    queryset = _own_entities(request.user)
    if request.method == "POST":
        form = PracticeForm(request.POST, request.FILES, entities=queryset)
        if form.is_valid():
            try:
                submit_practice(
                    data=form.to_input(), entity=form.cleaned_data["entity"], by=request.user
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Your practice is submitted. The secretariat will review it."),
                )
                return redirect("resources:my-practices")
        status = 400
    else:
        form = PracticeForm(entities=queryset)
        status = 200
    return render(
        request,
        "resources/practice_form.html",
        {"form": form, "criteria": criteria, "resource": None},
        status=status,
    )


@login_required
@require_GET
def my_practices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The practices submitted for the entities the user acts for, with their review state."""
    rows = (
        Resource.objects.filter(entity__in=_own_entities(request.user))
        .select_related("entity")
        .order_by(F("submitted_at").desc(nulls_last=True), "-id")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "resources/my_practices.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """The submitting entity changes its practice as the secretariat asked and resubmits."""
    resource = get_object_or_404(
        Resource.objects.filter(entity__in=_own_entities(request.user)), public_id=public_id
    )
    if resource.state != ResourceState.CHANGES_REQUESTED:
        messages.error(request, _("This practice cannot be changed now."))
        return redirect("resources:my-practices")
    if request.method == "POST":
        form = PracticeForm(request.POST, request.FILES, resource=resource)
        if form.is_valid():
            try:
                resubmit_practice(resource=resource, data=form.to_input(), by=request.user)
            except ValidationError as error:
                apply_service_error(form, error)
            except TransitionNotAllowed as error:
                messages.error(request, str(error))
                return redirect("resources:my-practices")
            else:
                messages.success(request, _("Your practice is sent back for review."))
                return redirect("resources:my-practices")
        status = 400
    else:
        form = PracticeForm(resource=resource)
        status = 200
    return render(
        request,
        "resources/practice_form.html",
        {"form": form, "criteria": practice_criteria(), "resource": resource},
        status=status,
    )


# --------------------------------------------------------------------------------------------
# Secretariat: curation and review
# --------------------------------------------------------------------------------------------

STATE_FILTERS = {
    "awaiting": Q(state__in=AWAITING_REVIEW),
    **{state.value: Q(state=state) for state in ResourceState},
}


@secretariat_required
@require_GET
def manage_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every resource, practices awaiting review first; filtered by state."""
    state = request.GET.get("state") or ""
    rows = Resource.objects.select_related("entity")
    if state in STATE_FILTERS:
        rows = rows.filter(STATE_FILTERS[state])
    else:
        state = ""
    rows = rows.order_by(
        F("submitted_at").asc(nulls_last=True) if state == "awaiting" else F("updated_at").desc(),
        "-id",
    )
    counts = Resource.objects.aggregate(
        awaiting=Count("id", filter=STATE_FILTERS["awaiting"]), total=Count("id")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "resources/manage_list.html",
        {
            "page": page,
            "state": state,
            "states": [("awaiting", _("Awaiting review")), *ResourceState.choices],
            "counts": counts,
        },
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def resource_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                resource = create_resource(data=form.to_input(), by=request.user)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("The resource is saved as a draft."))
                return redirect("resources:decision", public_id=resource.public_id)
        status = 400
    else:
        form = ResourceForm()
        status = 200
    return render(
        request, "resources/resource_form.html", {"form": form, "resource": None}, status=status
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    resource = get_object_or_404(Resource, public_id=public_id)
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, resource=resource)
        if form.is_valid():
            try:
                update_resource(resource=resource, data=form.to_input(), by=request.user)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("The resource is saved."))
                return redirect("resources:decision", public_id=resource.public_id)
        status = 400
    else:
        form = ResourceForm(resource=resource)
        status = 200
    return render(
        request,
        "resources/resource_form.html",
        {"form": form, "resource": resource},
        status=status,
    )


# Translated when shown (a module-level gettext would freeze them in the default language).
DECISION_MESSAGES: dict[str, Callable[[], str]] = {
    "publish": lambda: _("“%(title)s” is published."),
    "unpublish": lambda: _("“%(title)s” is unpublished."),
    "request_changes": lambda: _(
        "Changes requested on “%(title)s”; the submitter will see your reason."
    ),
    "reject": lambda: _("“%(title)s” is rejected; the submitter will see your reason."),
}


@secretariat_required
@require_http_methods(["GET", "POST"])
def resource_decision(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """Publish, unpublish, request changes on or reject one resource."""
    resource = get_object_or_404(Resource.objects.select_related("entity"), public_id=public_id)
    decided = decision_round(
        request,
        form_class=ResourceDecisionForm,
        default="resources:manage",
        take=lambda action, reason: transition_resource(
            resource=resource, action=action, by=request.user, reason=reason
        ),
        success=lambda action: DECISION_MESSAGES[action]() % {"title": resource.title},
    )
    if decided.done:
        return decided.done
    form, next_url, status = decided.form, decided.next_url, decided.status
    return render(
        request,
        "resources/resource_decision.html",
        {
            "resource": resource,
            "form": form,
            "next_url": next_url,
            "transitions": available_transitions(resource, request.user),
            "all_transitions": RESOURCE_TRANSITIONS,
            "trail": entries_for(resource)[:20],
        },
        status=status,
    )


@secretariat_required
@require_http_methods(["GET", "POST"])
def criteria_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The criteria a practice must meet, shown above the submission form."""
    if request.method == "POST":
        form = CriteriaForm(request.POST)
        if form.is_valid():
            try:
                set_practice_criteria(text=form.cleaned_data["text"], by=request.user)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("The criteria for practices are saved."))
                return redirect("resources:manage")
        status = 400
    else:
        form = CriteriaForm(initial={"text": practice_criteria()})
        status = 200
    return render(request, "resources/criteria_form.html", {"form": form}, status=status)


def objective_browse_query(objective: Any) -> str:
    return QueryDict.fromkeys(
        ["objective"], f"{objective.compact.code}-{objective.number}"
    ).urlencode()


def browse_url(objective: Any) -> str:
    return f"{reverse('resources:list')}?{objective_browse_query(objective)}"
