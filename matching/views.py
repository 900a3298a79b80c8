"""The matching pages: a pledge's matching page (what it seeks and offers, its matches with the
answers each side may give, and suggested offers), and the secretariat's matching queue.

Thin views: forms check shapes, `matching.services` decides and writes. What a user may not
see answers 404 (`visible_to`), what they may see but not do answers 403 (the services raise
PermissionDenied, which Django maps); refusals of a state answer with a message.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge, ReviewState
from pledges.views.review import secretariat_required
from pledges.workflow import can_edit, is_active_member, is_secretariat

from . import exports, services
from .forms import DecideForm, MessageForm, PositionForm, ProposeForm
from .models import Decision, Match, MatchState, Side, SupportPosition
from .suggestions import Suggestion, suggestions, suggestions_for

QUEUE_PAGE_SIZE = 20
QUEUE_SUGGESTIONS = 3


def _page_url(pledge: Pledge, anchor: str = "") -> str:
    url = reverse("matching:pledge-matching", args=[pledge.reference])
    return f"{url}#{anchor}" if anchor else url


def _visible_pledge(request: HttpRequest, reference: str) -> Pledge:
    return get_object_or_404(
        Pledge.objects.visible_to(request.user).select_related("entity", "compact"),
        reference=reference,
    )


@dataclass(frozen=True)
class MatchRow:
    """A match as the page shows it, with what the user may do with it."""

    match: Match
    other: Pledge
    this_side: str
    may_decide: bool
    may_withdraw: bool


def _may_decide(match: Match, user: Any) -> bool:
    if match.state != MatchState.PROPOSED:
        return False
    return any(
        decision == Decision.PENDING and is_active_member(user, entity_id)
        for decision, entity_id in (
            (match.seeking_decision, match.seeking.entity_id),
            (match.offering_decision, match.offering.entity_id),
        )
    )


def _match_rows(pledge: Pledge, user: Any) -> list[MatchRow]:
    matches = (
        Match.objects.visible_to(user)
        .filter(Q(seeking=pledge) | Q(offering=pledge))
        .select_related("seeking__entity", "offering__entity", "proposed_for")
        .order_by("-created_at", "-id")
    )
    return [
        MatchRow(
            match=match,
            other=match.offering if match.seeking_id == pledge.pk else match.seeking,
            this_side=Side.SEEKS if match.seeking_id == pledge.pk else Side.OFFERS,
            may_decide=_may_decide(match, user),
            may_withdraw=match.state == MatchState.PROPOSED
            and user.is_authenticated
            and services.may_withdraw(match, user),
        )
        for match in matches
    ]


def _render_page(
    request: HttpRequest,
    pledge: Pledge,
    *,
    position_form: PositionForm | None = None,
    propose_form: ProposeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    editable = can_edit(pledge, user)
    positions = list(
        pledge.support_positions.select_related(
            "support_type", "currency", "thematic_area"
        ).prefetch_related("countries")
    )
    insider = is_secretariat(user) or is_active_member(user, pledge.entity_id)
    seeks = [p for p in positions if p.side == Side.SEEKS]
    offers = [p for p in positions if p.side == Side.OFFERS]
    # Suggestions are for the pledge's entity and the secretariat: they read the pledge's needs
    # against every published offer (and its offers against every published need), which
    # outsiders need not be shown.
    suggest = insider and pledge.review_state == ReviewState.PUBLISHED
    suggested: list[Suggestion] = suggestions(pledge) if suggest and seeks else []
    suggested_needs: list[Suggestion] = (
        suggestions(pledge, side=Side.OFFERS) if suggest and offers else []
    )
    context = {
        "pledge": pledge,
        "seeks": seeks,
        "offers": offers,
        "may_edit": editable,
        "is_insider": insider,
        "position_form": position_form or (PositionForm(pledge=pledge) if editable else None),
        "match_rows": _match_rows(pledge, user),
        "suggestions": suggested,
        "suggested_needs": suggested_needs,
        "may_propose": insider and pledge.review_state == ReviewState.PUBLISHED,
        "propose_form": propose_form,
    }
    return render(request, "matching/pledge_matching.html", context, status=status)


@require_GET
def pledge_matching(request: HttpRequest, reference: str) -> HttpResponse:
    """What the pledge seeks and offers and its matches (accepted ones for everybody), and for
    its entity and the secretariat the suggested offers and the answers to give."""
    return _render_page(request, _visible_pledge(request, reference))


@require_POST
@login_required
def position_add(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    pledge = _visible_pledge(request, reference)
    form = PositionForm(request.POST, pledge=pledge)
    if form.is_valid():
        try:
            services.add_position(pledge=pledge, data=form.to_input(), by=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_page_url(pledge, "positions"))
    return _render_page(request, pledge, position_form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def position_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change one thing the pledge seeks or offers (whoever may edit the pledge)."""
    position = get_object_or_404(
        SupportPosition.objects.visible_to(request.user).select_related("pledge", "support_type"),
        pk=pk,
    )
    pledge = position.pledge
    if not can_edit(pledge, request.user):
        raise PermissionDenied(_("You cannot change what this pledge seeks or offers now."))
    status = 200
    if request.method == "POST":
        form = PositionForm(request.POST, pledge=pledge)
        if form.is_valid():
            try:
                services.change_position(position=position, data=form.to_input(), by=request.user)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(_page_url(pledge, "positions"))
        status = 400
    else:
        form = PositionForm(pledge=pledge, position=position)
    context = {"pledge": pledge, "position": position, "form": form}
    return render(request, "matching/position_edit.html", context, status=status)


@require_POST
@login_required
def position_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(
        SupportPosition.objects.visible_to(request.user).select_related("pledge"), pk=pk
    )
    services.remove_position(position=position, by=request.user)
    messages.success(request, _("Removed."))
    return redirect(_page_url(position.pledge, "positions"))


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@login_required
def match_propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Propose a match (from a suggestion or by references); back to the page it came from."""
    form = ProposeForm(request.POST, user=request.user)
    if not form.is_valid():
        back = (
            Pledge.objects.visible_to(request.user)
            .filter(reference=request.POST.get("from", ""))
            .first()
        )
        if back is None:
            return render(request, "matching/propose_refused.html", {"form": form}, status=400)
        return _render_page(request, back, propose_form=form, status=400)
    seeking, offering = form.cleaned_data["seeking"], form.cleaned_data["offering"]
    origin = offering if request.POST.get("from") == offering.reference else seeking
    try:
        services.propose_match(
            seeking=seeking,
            offering=offering,
            by=request.user,
            message=form.cleaned_data["message"],
        )
    except ValidationError as error:
        apply_service_error(form, error)
        return _render_page(request, origin, propose_form=form, status=400)
    messages.success(
        request,
        _("Match proposed: %(seeking)s with %(offering)s. The other side is asked to answer.")
        % {"seeking": seeking.reference, "offering": offering.reference},
    )
    return redirect(_page_url(origin, "matches"))


def _visible_match(request: HttpRequest, public_id: Any) -> Match:
    return get_object_or_404(
        Match.objects.visible_to(request.user).select_related("seeking", "offering"),
        public_id=public_id,
    )


def _back_to(request: HttpRequest, match: Match) -> HttpResponse:
    """The matching page of the user's own side (the seeking side when both or neither)."""
    own_offer = not is_active_member(request.user, match.seeking.entity_id) and is_active_member(
        request.user, match.offering.entity_id
    )
    return redirect(_page_url(match.offering if own_offer else match.seeking, "matches"))


@require_POST
@login_required
def match_decide(request: AuthenticatedHttpRequest, public_id: Any) -> HttpResponse:
    match = _visible_match(request, public_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choose to accept or decline; a message has at most 2,000 characters.")
        )
        return _back_to(request, match)
    accept = form.cleaned_data["response"] == "accept"
    try:
        decided = services.decide_match(
            match=match, accept=accept, by=request.user, message=form.cleaned_data["message"]
        )
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("Match of %(seeking)s with %(offering)s: %(state)s.")
            % {
                "seeking": decided.seeking.reference,
                "offering": decided.offering.reference,
                "state": decided.get_state_display(),
            },
        )
    return _back_to(request, match)


@require_POST
@login_required
def match_withdraw(request: AuthenticatedHttpRequest, public_id: Any) -> HttpResponse:
    match = _visible_match(request, public_id)
    form = MessageForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        services.withdraw_match(match=match, by=request.user, message=message)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Proposal withdrawn."))
    return _back_to(request, match)


@secretariat_required
def matching_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Published pledges that seek support and have no accepted match yet, oldest published
    first, each with its best suggested offers (one ranking query per page)."""
    accepted = Match.objects.filter(state=MatchState.ACCEPTED, seeking=OuterRef("pk"))
    seeking = (
        Pledge.objects.published()
        .filter(
            Exists(SupportPosition.objects.filter(pledge=OuterRef("pk"), side=Side.SEEKS)),
            ~Exists(accepted),
        )
        .select_related("entity")
        .order_by("published_at", "id")
    )
    page = Paginator(seeking, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    found = suggestions_for([p.pk for p in page], limit=QUEUE_SUGGESTIONS)
    rows = [(pledge, found[pledge.pk]) for pledge in page]
    return render(request, "matching/queue.html", {"page_obj": page, "rows": rows})


@secretariat_required
@require_GET
def matches_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """Every match, oldest proposal first, with both sides' decisions (who and when), as CSV,
    streamed. The secretariat's only: it names the people who decided."""
    matches = Match.objects.order_by("created_at", "id")
    response = StreamingHttpResponse(
        exports.match_csv_lines(matches), content_type="text/csv; charset=utf-8"
    )
    name = f"matches-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
