"""Web pages of the entities area: register an entity, ask to join one, list one's own
memberships, and the secretariat's queue of entities to verify and requests to decide.

Views stay thin: the forms check the input's shape, the entity services in `pledges.services`
make every change and decide who may make it; their refusals come back as form errors (invalid
input), 403 (not allowed) or a message (already decided by someone else).
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest

from .. import services
from ..entity_forms import (
    EntityDecision,
    EntityQueueFilter,
    EntityRegistrationForm,
    EntitySearchForm,
    EntityUnverifyForm,
    JoinEntityForm,
)
from ..exceptions import LookalikeName, TransitionNotAllowed
from ..models import Entity, Membership, MembershipRole, MembershipStatus, ReviewState
from ..search import similar_entities
from ..workflow import is_secretariat
from .download_links import queue_download_urls

# Page sizes: small enough to scan, large enough that a normal day fits on one page.
MY_ENTITIES_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 20
# The join page lists at most this many matches; people refine the search rather than page.
JOIN_RESULTS_LIMIT = 25


def _join_url(entity: Entity | None = None) -> str:
    url = reverse("pledges:entity-join")
    return f"{url}?{urlencode({'entity': str(entity.public_id)})}" if entity else url


@login_required
@require_http_methods(["GET", "POST"])
def entity_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a new entity; the registrant acts for it at once, pending verification."""
    form = EntityRegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            entity = services.register_entity(by=request.user, **kwargs)
        except ValidationError as error:
            apply_service_error(form, error)
            if isinstance(error, LookalikeName):
                _link_lookalike(form, error.existing, own=error.own)
        else:
            messages.success(
                request,
                _(
                    "%(entity)s is registered and you act for it. You can prepare pledges "
                    "now; they can be submitted for review once the secretariat has verified "
                    "the entity."
                )
                % {"entity": entity.name},
            )
            return redirect("pledges:my-entities")
    return render(request, "pledges/entities/entity_register.html", {"form": form})


def _link_lookalike(form: EntityRegistrationForm, existing: Entity, *, own: bool) -> None:
    """Next to the service's message, link to the entity whose name looks the same: its public
    page and the join page when it is verified, the user's own entities when they registered it.
    An unverified entity of somebody else is not linked: its page is not public."""
    errors = form.errors["name"]
    if existing.is_verified:
        errors[-1] = format_html(
            '{} <a href="{}">{}</a> · <a href="{}">{}</a>',
            errors[-1],
            reverse("pledges:entity-detail", args=[existing.public_id]),
            _("See %(entity)s") % {"entity": existing.name},
            _join_url(existing),
            _("Ask to join %(entity)s") % {"entity": existing.name},
        )
    elif own:
        errors[-1] = format_html(
            '{} <a href="{}">{}</a>',
            errors[-1],
            reverse("pledges:my-entities"),
            _("See your entities"),
        )


def _join_choices(query: str, preselected: str | None, user: Any) -> list[Entity]:
    """The entities the join page offers: matches of the search, or the one entity a link
    pointed to (from the duplicate-name error or a declined membership). Only those `user`
    may see: an unverified entity is found by its own members only."""
    entities = (
        Entity.objects.visible_to(user)
        .select_related("entity_type", "country")
        .order_by("name", "pk")
    )
    if query:
        return list(
            entities.filter(Q(name__icontains=query) | Q(acronym__iexact=query))[
                :JOIN_RESULTS_LIMIT
            ]
        )
    if preselected:
        try:
            return list(entities.filter(public_id=preselected))
        except ValidationError:  # not a UUID: nothing to preselect
            return []
    return []


@login_required
@require_http_methods(["GET", "POST"])
def entity_join(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search an existing entity and ask to act for it; the secretariat decides."""
    search = EntitySearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    preselected = request.GET.get("entity") or request.POST.get("entity")
    choices = _join_choices(query, preselected, request.user)
    if request.method == "POST":
        form = JoinEntityForm(request.POST, user=request.user, choices=choices)
        if form.is_valid():
            entity = form.cleaned_data["entity"]
            try:
                services.request_membership(user=request.user, entity=entity)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Your request to join %(entity)s is sent to the secretariat.")
                    % {"entity": entity.name},
                )
                return redirect("pledges:my-entities")
    else:
        initial = {"entity": preselected} if preselected and len(choices) == 1 else {}
        form = JoinEntityForm(initial=initial, user=request.user, choices=choices)
    context = {
        "search": search,
        "query": query,
        "form": form,
        "choices": choices,
        "results_capped": len(choices) >= JOIN_RESULTS_LIMIT,
        "results_limit": JOIN_RESULTS_LIMIT,
    }
    return render(request, "pledges/entities/entity_join.html", context)


@login_required
@require_GET
def my_entities(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The entities the user acts for or asked to join, with what to do next."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("entity__entity_type", "entity__country")
        .order_by("entity__name", "pk")
    )
    page = Paginator(memberships, MY_ENTITIES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "memberships": page.object_list,
        "statuses": MembershipStatus,
    }
    return render(request, "pledges/entities/membership_list.html", context)


def unverified_entities(query: str, *, newest_first: bool) -> QuerySet[Entity]:
    """Entities awaiting verification (neither verified nor declined), matching the search,
    with their registrant (the first focal point) prefetched so that the queue costs the same
    number of queries for any length."""
    focal_points = (
        Membership.objects.filter(role=MembershipRole.FOCAL_POINT)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    entities = Entity.objects.awaiting_verification()
    if query:
        entities = entities.filter(Q(name__icontains=query) | Q(acronym__icontains=query))
    order = ("-created_at", "-pk") if newest_first else ("created_at", "pk")
    return (
        entities.select_related("entity_type", "country")
        .prefetch_related(Prefetch("memberships", queryset=focal_points, to_attr="focal_points"))
        .order_by(*order)
    )


def _pending_requests() -> QuerySet[Membership]:
    return (
        Membership.objects.filter(status=MembershipStatus.PENDING)
        .select_related("user", "entity__entity_type", "entity__country")
        .order_by("created_at", "pk")
    )


def _page(request: HttpRequest, queryset: QuerySet[Any], param: str) -> Page:
    return Paginator(queryset, QUEUE_PAGE_SIZE).get_page(request.GET.get(param))


@login_required
@require_http_methods(["GET", "POST"])
def entity_admin_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The secretariat's queue: verify or decline new entities (searched by name or acronym,
    `?order=newest|oldest`, each shown with similar existing names), approve or decline join
    requests."""
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat verifies entities and decides requests."))
    if request.method == "POST":
        return _decide(request)
    return _render_queue(request)


def _render_queue(
    request: HttpRequest, *, declining: Any = None, decline_errors: Any = None
) -> HttpResponse:
    """The queue page; `declining` is the entity whose Decline was refused (no reason, too
    long), shown again with `decline_errors` and the reason typed so far."""
    search = EntityQueueFilter(request.GET)
    query = search.query()
    entities = _page(
        request,
        unverified_entities(query, newest_first=search.newest_first()),
        "entities_page",
    )
    entities.object_list = list(entities.object_list)
    similar = similar_entities(entities.object_list)
    for entity in entities.object_list:
        entity.similar = similar.get(entity.pk, [])
    requests = _page(request, _pending_requests(), "requests_page")
    context = {
        "search": search,
        "query": query,
        "newest_first": search.newest_first(),
        "entities": entities,
        "requests": requests,
        "declining": declining,
        "decline_errors": decline_errors or [],
        "decline_reason": request.POST.get("reason", "") if declining else "",
        "reason_max_length": services.DECLINE_REASON_MAX_LENGTH,
        "downloads": queue_download_urls(
            request, "pledges:entity-queue-export", "entities_page", "requests_page"
        ),
    }
    return render(request, "pledges/entities/entity_admin_queue.html", context)


def _decide(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Apply one decision through its service, then return to the same page of the queue."""
    form = EntityDecision(request.POST)
    if not form.is_valid():
        if set(form.errors) == {"reason"} and form.cleaned_data.get("entity"):
            # e.g. a NUL character pasted into the reason: a message on the field, not a 400.
            return _render_queue(
                request,
                declining=form.cleaned_data["entity"],
                decline_errors=form.errors["reason"],
            )
        return HttpResponseBadRequest(_("This decision could not be understood."))
    action = form.cleaned_data["action"]
    try:
        if action == EntityDecision.VERIFY:
            entity = get_object_or_404(Entity, public_id=form.cleaned_data["entity"])
            services.verify_entity(entity=entity, by=request.user)
            messages.success(request, _("%(entity)s is now verified.") % {"entity": entity.name})
        elif action == EntityDecision.DECLINE_ENTITY:
            entity = get_object_or_404(Entity, public_id=form.cleaned_data["entity"])
            try:
                services.decline_entity(
                    entity=entity, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                return _render_queue(
                    request, declining=entity.public_id, decline_errors=error.messages
                )
            messages.success(request, _("%(entity)s is declined.") % {"entity": entity.name})
        else:
            membership = get_object_or_404(
                Membership.objects.select_related("user", "entity"),
                pk=form.cleaned_data["membership"],
            )
            approve = action == EntityDecision.APPROVE
            services.decide_membership(membership=membership, approve=approve, by=request.user)
            names = {"user": membership.user, "entity": membership.entity.name}
            if approve:
                text = _("%(user)s now acts for %(entity)s.") % names
            else:
                text = _("The request of %(user)s to join %(entity)s is declined.") % names
            messages.success(request, text)
    except TransitionNotAllowed as refusal:
        # Another reviewer was quicker: say so instead of failing.
        messages.error(request, str(refusal))
    # Only the query string (the pages shown) is carried over, so the redirect stays on the queue.
    query = request.GET.urlencode()
    return redirect(reverse("pledges:entity-admin-queue") + (f"?{query}" if query else ""))


@login_required
@require_http_methods(["GET", "POST"])
def entity_unverify(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """Confirm, with a reason, that the entity's verification is withdrawn: it and everything
    public under it leave the public record until it is verified again (`unverify_entity`)."""
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat withdraws the verification of entities."))
    entity = get_object_or_404(Entity, public_id=public_id)
    form = EntityUnverifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unverify_entity(
                entity=entity, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        except TransitionNotAllowed as refusal:  # withdrawn meanwhile by somebody else
            messages.error(request, str(refusal))
            return redirect("pledges:entity-detail", public_id=entity.public_id)
        else:
            messages.success(
                request,
                _("The verification of %(entity)s is withdrawn.") % {"entity": entity.name},
            )
            return redirect("pledges:entity-detail", public_id=entity.public_id)
    published = entity.pledges.filter(review_state=ReviewState.PUBLISHED).count()
    return render(
        request,
        "pledges/entities/entity_unverify.html",
        {"entity": entity, "form": form, "published": published},
    )
