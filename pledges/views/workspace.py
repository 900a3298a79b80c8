"""The stakeholder workspace: "My pledges", the pledge editor, the pledge page with its review
actions, joint pledges and links, progress reports and the pledge's history.

Views are thin: a form checks the input's shape, a service in `pledges.services` does the write
and says what is allowed. What a user may not see answers 404 (`Pledge.objects.visible_to`), what
they may see but not do answers 403 (the services raise PermissionDenied, which Django maps).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Model, Prefetch, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from simple_history.utils import get_m2m_reverse_field_name

from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.audit import entries_for
from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest
from core.models import AuditEntry, Country, Currency
from forums.models import Forum

from .. import services
from ..duplicates import similar_pledges
from ..exceptions import StaleVersion, TransitionNotAllowed
from ..forms import (
    InviteForm,
    InviteSearchForm,
    LinkForm,
    MyPledgesFilterForm,
    PledgeForm,
    ReaffirmForm,
    RespondForm,
    SummaryItem,
    TransitionForm,
    UpdateForm,
    data_after_save,
)
from ..models import (
    Entity,
    GeographyScope,
    ImplementationStatus,
    Membership,
    MembershipStatus,
    ParticipantStatus,
    Pledge,
    PledgeLink,
    PledgeParticipant,
    PledgeReaffirmation,
    PledgeUpdateActual,
    ReviewState,
    SupportType,
    approved_update_q,
)
from ..workflow import (
    PLEDGE_TRANSITIONS,
    available_transitions,
    can_edit,
    is_active_member,
    is_secretariat,
    may_reaffirm,
    may_report_progress,
    reporting_entity_ids,
)

PAGE_SIZE = 20
# The invite search offers at most this many entities; people refine the search rather than page.
INVITE_RESULTS_LIMIT = 25
# While its entity may still change or withdraw it, a pledge shows the existing pledges it may
# repeat (docs/duplicates.md).
DUPLICATE_CHECK_STATES = frozenset(
    {
        ReviewState.DRAFT,
        ReviewState.CHANGES_REQUESTED,
        ReviewState.SUBMITTED,
        ReviewState.RESUBMITTED,
    }
)

# Allowlisted orderings of "My pledges" (the filter form's `sort` choices).
MY_PLEDGES_ORDERING: dict[str, Sequence[Any]] = {
    "updated": ("-updated_at", "-id"),
    "reference": ("reference",),
    "title": ("title", "reference"),
    "state": ("review_state", "-updated_at"),
    "last_update": (F("last_update_on").desc(nulls_last=True), "-updated_at"),
}

# What each review action's success message says; keyed by `PLEDGE_TRANSITIONS` name.
TRANSITION_DONE = {
    "submit": gettext_lazy("Pledge %(reference)s submitted for review."),
    "resubmit": gettext_lazy("Pledge %(reference)s resubmitted for review."),
    "withdraw": gettext_lazy("Pledge %(reference)s withdrawn."),
    "publish": gettext_lazy("Pledge %(reference)s published."),
    "request_changes": gettext_lazy("Changes requested on pledge %(reference)s."),
    "reject": gettext_lazy("Pledge %(reference)s rejected."),
    "supersede": gettext_lazy("Pledge %(reference)s marked as superseded."),
}

# Review decisions whose reason the submitter must see on the pledge page.
DECISION_ACTIONS = ("request_changes", "reject", "supersede")

# Readable names of the audit actions recorded on a pledge.
AUDIT_LABELS = {
    "pledges.pledge.created": gettext_lazy("Created"),
    "pledges.pledge.updated": gettext_lazy("Edited"),
    "pledges.participant.invited": gettext_lazy("Co-pledger invited"),
    "pledges.participant.accepted": gettext_lazy("Co-pledging accepted"),
    "pledges.participant.declined": gettext_lazy("Co-pledging declined"),
    "pledges.participant.removed": gettext_lazy("Co-pledger removed"),
    "pledges.link.created": gettext_lazy("Link added"),
    "pledges.link.removed": gettext_lazy("Link removed"),
    "pledges.duplicate.marked": gettext_lazy("Marked as a duplicate"),
    "pledges.duplicate.unmarked": gettext_lazy("No longer marked as a duplicate"),
    # Written by the matching app's services (named here by their codes, not imported).
    "matching.position.added": gettext_lazy("Support sought or offered: added"),
    "matching.position.changed": gettext_lazy("Support sought or offered: changed"),
    "matching.position.removed": gettext_lazy("Support sought or offered: removed"),
    "matching.match.proposed": gettext_lazy("Match proposed"),
    "matching.match.accepted": gettext_lazy("Match accepted"),
    "matching.match.declined": gettext_lazy("Match declined"),
    "matching.match.withdrawn": gettext_lazy("Match withdrawn"),
    "pledges.translation.added": gettext_lazy("Translation added"),
    "pledges.translation.changed": gettext_lazy("Translation changed"),
    "pledges.translation.removed": gettext_lazy("Translation removed"),
    # Recorded on the pledge by the goals app (goals.services).
    "goals.contribution.added": gettext_lazy("Target counted towards a collective goal"),
    "goals.contribution.removed": gettext_lazy("Target no longer counted towards a goal"),
    "pledges.pledge.reaffirmed": gettext_lazy("Reaffirmed at a later forum"),
    # Recorded on the pledge by the reminders app; shown to insiders only (`_public_audit`).
    "reminders.reminder.before_due": gettext_lazy("Reminder sent: report due soon"),
    "reminders.reminder.overdue": gettext_lazy("Reminder sent: report overdue"),
    "reminders.reminder.still_overdue": gettext_lazy("Reminder sent: report still overdue"),
    "reminders.reminder.manual": gettext_lazy("Reminder sent by the secretariat"),
    **{f"pledges.pledge.{name}": t.label for name, t in PLEDGE_TRANSITIONS.items()},
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _own_entity_ids(user: Any) -> set[int]:
    """The entities `user` acts for (one query), so that templates need no per-row lookups."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values_list(
            "entity_id", flat=True
        )
    )


def _visible_pledge(request: HttpRequest, reference: str, queryset: Any = None) -> Pledge:
    queryset = Pledge.objects.visible_to(request.user) if queryset is None else queryset
    return get_object_or_404(queryset, reference=reference)


def _detail_url(pledge: Pledge, anchor: str = "") -> str:
    url = reverse("pledges:pledge-detail", args=[pledge.reference])
    return f"{url}#{anchor}" if anchor else url


def _next_or(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Go back where the form came from (e.g. the review queue) if that is a local page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _submit_action(pledge: Pledge, user: Any) -> str | None:
    """The transition the editor's "Submit for review" button takes, if the user may take it."""
    names = {t.name for t in available_transitions(pledge, user)}
    return next((name for name in ("submit", "resubmit") if name in names), None)


# --------------------------------------------------------------------------------------------
# My pledges
# --------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_pledges(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The pledges of every entity the user acts for, and those they are invited to co-pledge."""
    own = _own_entity_ids(request.user)
    if not own:
        return render(request, "pledges/workspace/no_entity.html")
    co_pledged = (
        PledgeParticipant.objects.filter(entity_id__in=own)
        .exclude(status=ParticipantStatus.DECLINED)
        .values("pledge_id")
    )
    pledges = Pledge.objects.filter(Q(entity_id__in=own) | Q(pk__in=co_pledged)).select_related(
        "entity", "compact"
    )
    filters = MyPledgesFilterForm(request.GET or None)
    state = filters.state_value()
    if state:
        pledges = pledges.filter(review_state=state)
    pledges = pledges.order_by(*MY_PLEDGES_ORDERING[filters.sort_value()])
    page = Paginator(pledges, PAGE_SIZE).get_page(request.GET.get("page"))
    invitations = (
        PledgeParticipant.objects.filter(entity_id__in=own, status=ParticipantStatus.INVITED)
        .select_related("pledge", "entity")
        .order_by("-created_at")
    )
    return render(
        request,
        "pledges/workspace/pledge_list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": bool(state),
            "own_entity_ids": own,
            "invitations": invitations,
        },
    )


# --------------------------------------------------------------------------------------------
# Create and edit
# --------------------------------------------------------------------------------------------


def _render_editor(
    request: HttpRequest, form: PledgeForm, *, stale: bool = False, status: int = 200
) -> HttpResponse:
    pledge = form.pledge
    if pledge is None:
        action_url = reverse("pledges:pledge-create")
        submit_label: Any = PLEDGE_TRANSITIONS["submit"].label
        save_label = _("Save draft")
    else:
        action_url = reverse("pledges:pledge-edit", args=[pledge.reference])
        submit = _submit_action(pledge, request.user)
        submit_label = PLEDGE_TRANSITIONS[submit].label if submit else None
        save_label = (
            _("Save draft") if pledge.review_state == ReviewState.DRAFT else _("Save changes")
        )
    return render(
        request,
        "pledges/workspace/pledge_form.html",
        {
            "form": form,
            "pledge": pledge,
            "action_url": action_url,
            "save_label": save_label,
            "submit_label": submit_label,
            "stale": stale,
            # What the reviewer asked to change, shown above the fields while making the changes.
            "requested_changes": (
                _latest_decision(pledge)
                if pledge is not None and pledge.review_state == ReviewState.CHANGES_REQUESTED
                else None
            ),
            "option_groups": form.option_groups(),
            "error_summary": form.error_summary(),
            # The saved pledge's likely duplicates, while its entity may still change it.
            "similar": (
                similar_pledges(pledge, viewer=request.user)
                if pledge is not None and pledge.review_state in DUPLICATE_CHECK_STATES
                else []
            ),
        },
        status=status,
    )


def _after_save(
    request: AuthenticatedHttpRequest, pledge: Pledge, *, created: bool
) -> HttpResponse:
    """Finish a successful save: submit it if asked to, and say what happened."""
    action = (
        _submit_action(pledge, request.user) if request.POST.get("intent") == "submit" else None
    )
    if action is None:
        done = _("Draft %(reference)s saved.") if created else _("Changes to %(reference)s saved.")
        messages.success(request, done % {"reference": pledge.reference})
        return redirect(_detail_url(pledge))
    try:
        services.transition_pledge(pledge=pledge, action=action, by=request.user)
    except ValidationError as error:
        # The content is saved; show why it cannot be submitted yet, on the saved pledge.
        messages.warning(
            request,
            _(
                "Pledge %(reference)s was saved, but it cannot be submitted yet. Correct the "
                "errors below, then submit it again."
            )
            % {"reference": pledge.reference},
        )
        pledge.refresh_from_db()
        form = PledgeForm(data_after_save(request.POST, pledge), user=request.user, pledge=pledge)
        form.is_valid()
        apply_service_error(form, error)
        return _render_editor(request, form)
    except (TransitionNotAllowed, PermissionDenied) as error:
        messages.error(request, str(error))
        return redirect(_detail_url(pledge))
    messages.success(request, TRANSITION_DONE[action] % {"reference": pledge.reference})
    return redirect(_detail_url(pledge))


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new pledge for one of the user's entities; "Save draft" or "Submit for review"."""
    if not _own_entity_ids(request.user):
        return render(request, "pledges/workspace/no_entity.html")
    if request.method == "POST":
        form = PledgeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                pledge = services.create_pledge(data=form.to_input(), by=request.user)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                return _after_save(request, pledge, created=True)
    else:
        compact = Compact.objects.filter(code=request.GET.get("compact", "")).first()
        form = PledgeForm(user=request.user, initial={"compact": compact})
    return _render_editor(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def pledge_edit(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Edit a pledge's content; a save on top of somebody else's is refused, input kept."""
    pledge = _visible_pledge(request, reference)
    if not can_edit(pledge, request.user):
        raise PermissionDenied(_("You cannot edit this pledge now."))
    if request.method != "POST":
        return _render_editor(request, PledgeForm(user=request.user, pledge=pledge))
    form = PledgeForm(request.POST, user=request.user, pledge=pledge)
    if form.is_valid():
        try:
            pledge = services.update_pledge(
                pledge=pledge,
                data=form.to_input(),
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            form.add_error(None, str(error))
            return _render_editor(request, form, stale=True, status=409)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return _after_save(request, pledge, created=False)
    return _render_editor(request, form)


# --------------------------------------------------------------------------------------------
# The pledge page
# --------------------------------------------------------------------------------------------


def _pledge_page_queryset(user: Any) -> QuerySet[Pledge]:
    return (
        Pledge.objects.visible_to(user)
        .with_translation()
        .select_related("entity", "compact", "forum", "support_platform", "currency")
        .prefetch_related(
            Prefetch(
                "reaffirmations",
                queryset=PledgeReaffirmation.objects.select_related("forum").order_by(
                    "reaffirmed_on", "id"
                ),
            ),
            Prefetch("objectives", queryset=Objective.objects.order_by("number")),
            Prefetch("actions", queryset=ObjectiveAction.objects.select_related("objective")),
            "principles",
            "thematic_areas",
            "support_types",
            "beneficiary_countries",
            "targets",
            # Pending and declined invitations, and entities not verified yet, only for
            # the two sides and the secretariat.
            Prefetch(
                "participants",
                queryset=PledgeParticipant.objects.visible_to(user)
                .select_related("entity")
                .order_by("entity__name"),
            ),
        )
    )


@dataclass
class ActionButton:
    """A review action offered on the pledge page."""

    name: str
    label: Any
    url: str
    needs_reason: bool
    confirm: bool


def _latest_decision(pledge: Pledge) -> AuditEntry | None:
    """The secretariat's reason for the pledge's current state, if it was returned to the
    submitter, rejected or superseded."""
    actions = [
        f"pledges.pledge.{name}"
        for name in DECISION_ACTIONS
        if PLEDGE_TRANSITIONS[name].target == pledge.review_state
    ]
    if not actions:
        return None
    return entries_for(pledge).filter(action__in=actions).exclude(reason="").first()


def _invite_candidates(pledge: Pledge, query: str, user: Any) -> tuple[list[Entity], bool]:
    """The entities the invite search offers for `query`, best matches first, and whether there
    are more than are shown.

    Unverified entities, the submitting entity and the entities already on the pledge (in any
    status: the service refuses to invite an entity twice) are left out, since offering them
    only leads to an error. Only insiders search, and they see every participant, so the
    prefetched `pledge.participants` holds them all and excluding them costs no query."""
    if not query:
        return [], False
    taken = {pledge.entity_id, *(p.entity_id for p in pledge.participants.all())}
    exact = Q(name__iexact=query) | Q(acronym__iexact=query)
    prefix = Q(name__istartswith=query) | Q(acronym__istartswith=query)
    # With a cap on the results, alphabetical order alone would push "UNHCR" (searched by its
    # acronym) below two dozen names that merely contain the letters.
    rank = Case(
        When(exact, then=Value(0)),
        When(prefix, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    matches: list[Entity] = list(
        Entity.objects.visible_to(user)
        .filter(is_verified=True)
        .filter(Q(name__icontains=query) | Q(acronym__istartswith=query))
        .exclude(pk__in=taken)
        .select_related("entity_type", "country")
        .annotate(rank=rank)
        .order_by("rank", "name", "pk")[: INVITE_RESULTS_LIMIT + 1]
    )
    return matches[:INVITE_RESULTS_LIMIT], len(matches) > INVITE_RESULTS_LIMIT


def _invite_error_summary(form: InviteForm | None, candidates: list[Entity]) -> list[SummaryItem]:
    """The invite form's errors for the summary at the top of the page. Without search results
    the form's inputs are not on the page, so the items link to the search box instead."""
    if form is None or not form.is_bound:
        return []
    items = form.error_summary()
    if candidates:
        return items
    return [SummaryItem(item.message, "#invite") for item in items]


@require_GET
def pledge_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Everything about one pledge, and what the user may do with it. `?invite_q=` searches
    the entities to invite (editors only)."""
    pledge = _visible_pledge(request, reference, _pledge_page_queryset(request.user))
    return _render_pledge_page(request, pledge, invite_search=InviteSearchForm(request.GET))


def _render_pledge_page(
    request: HttpRequest,
    pledge: Pledge,
    *,
    invite_search: InviteSearchForm,
    invite_form: InviteForm | None = None,
) -> HttpResponse:
    """The pledge page; `invite_form` is a bound invite form to show again with its errors.

    `pledge` must come from `_pledge_page_queryset`, whose prefetches the template relies on."""
    user = request.user
    own = _own_entity_ids(user)
    secretariat = is_secretariat(user)
    member = pledge.entity_id in own
    insider = member or secretariat
    visible = Pledge.objects.visible_to(user).values("pk")

    updates = pledge.updates.select_related("submitted_by", "entity", "round").prefetch_related(
        Prefetch("actuals", queryset=PledgeUpdateActual.objects.select_related("target"))
    )
    if not insider:
        # Only approved updates of verified reporters are public (`approved_update_q`); the
        # others are between the reporting entity (a co-pledger sees its own) and the lead
        # entity and reviewers.
        updates = updates.filter(approved_update_q() | Q(entity_id__in=own))

    actions = [
        ActionButton(
            name=t.name,
            label=t.label,
            url=reverse("pledges:pledge-transition", args=[pledge.reference, t.name]),
            needs_reason=t.needs_reason,
            confirm=t.name == "withdraw",
        )
        for t in available_transitions(pledge, user)
    ]
    relations_editable = insider and pledge.review_state not in services.CLOSED_STATES
    invite_query = invite_search.query() if relations_editable else ""
    candidates, capped = _invite_candidates(pledge, invite_query, user)
    if not relations_editable:
        invite_form = None
    elif invite_form is None:
        invite_form = InviteForm(user=user, choices=candidates)
    else:
        invite_form.offer(candidates)
    context = {
        "pledge": pledge,
        "own_entity_ids": own,
        "is_insider": insider,
        "actions": actions,
        "may_edit": can_edit(pledge, user),
        # The same rule as goals.services.may_count_towards_goals (linked by URL name only).
        "may_count_goals": can_edit(pledge, user) or is_secretariat(user),
        "may_report": may_report_progress(pledge, user, own=own),
        "reaffirm_form": ReaffirmForm(pledge=pledge)
        if may_reaffirm(pledge, user, own=own)
        else None,
        "relations_editable": relations_editable,
        "decision": _latest_decision(pledge) if insider else None,
        "links_out": pledge.links_out.filter(target__in=visible).select_related("target"),
        "links_in": pledge.links_in.filter(source__in=visible).select_related("source"),
        "updates": updates,
        "invite_search": invite_search if relations_editable else None,
        "invite_query": invite_query,
        "invite_candidates": candidates,
        "invite_capped": capped,
        "invite_limit": INVITE_RESULTS_LIMIT,
        "invite_form": invite_form,
        "error_summary": _invite_error_summary(invite_form, candidates),
        "link_form": LinkForm(user=user) if relations_editable else None,
        # The duplicate warning, for the entity while the pledge is being written or reviewed
        # (after saving a draft, before and after submitting); it never blocks anything.
        "similar": (
            similar_pledges(pledge, viewer=user)
            if member and pledge.review_state in DUPLICATE_CHECK_STATES
            else []
        ),
        "submit_action": next((a.name for a in actions if a.name in ("submit", "resubmit")), None),
    }
    return render(request, "pledges/workspace/pledge_detail.html", context)


@require_POST
@login_required
def pledge_transition(
    request: AuthenticatedHttpRequest, reference: str, action: str
) -> HttpResponse:
    """Take one review action (members: submit, resubmit, withdraw; the secretariat: publish,
    request changes, reject, supersede). Refusals change nothing and are explained."""
    pledge = _visible_pledge(request, reference)
    if action not in PLEDGE_TRANSITIONS:
        raise Http404
    form = TransitionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.transition_pledge(pledge=pledge, action=action, by=request.user, reason=reason)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, TRANSITION_DONE[action] % {"reference": pledge.reference})
    return _next_or(request, _detail_url(pledge))


# --------------------------------------------------------------------------------------------
# Joint pledges and links
# --------------------------------------------------------------------------------------------


@require_POST
@login_required
def participant_invite(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Invite another entity to co-pledge, chosen among the results of the page's search.

    Invalid input shows the pledge page again with the errors next to the fields and the same
    search results (the form posts the search text along), so nothing has to be typed twice."""
    pledge = _visible_pledge(request, reference)
    if not (is_active_member(request.user, pledge.entity_id) or is_secretariat(request.user)):
        # Checked before the input so that outsiders get 403 whatever they post (invalid input
        # would otherwise show them the form); the service checks again.
        raise PermissionDenied(_("Only the submitting entity can change this pledge."))
    form = InviteForm(request.POST, user=request.user)
    if form.is_valid():
        entity: Entity = form.cleaned_data["entity"]
        try:
            services.invite_participant(
                pledge=pledge, entity=entity, by=request.user, role=form.cleaned_data["role"]
            )
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect(_detail_url(pledge, "participants"))
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, _("%(entity)s has been invited to co-pledge.") % {"entity": entity.name}
            )
            return redirect(_detail_url(pledge, "participants"))
    # Reloaded with the page's prefetches only now, so that a successful invite skips them.
    pledge = _visible_pledge(request, reference, _pledge_page_queryset(request.user))
    return _render_pledge_page(
        request, pledge, invite_search=InviteSearchForm(request.POST), invite_form=form
    )


@require_POST
@login_required
def participant_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take a co-pledging entity off the pledge (editors of the pledge: its submitting entity
    and the secretariat). The entity's members lose sight of the pledge unless it is public."""
    visible = Pledge.objects.visible_to(request.user).values("pk")
    participant = get_object_or_404(
        PledgeParticipant.objects.visible_to(request.user)
        .select_related("pledge", "entity")
        .filter(pledge__in=visible),
        pk=pk,
    )
    pledge = participant.pledge
    try:
        services.remove_participant(participant=participant, by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(entity)s no longer co-pledges %(reference)s.")
            % {"entity": participant.entity.name, "reference": pledge.reference},
        )
    return redirect(_detail_url(pledge, "participants"))


@require_POST
@login_required
def participant_respond(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An invited entity accepts or declines to co-pledge."""
    visible = Pledge.objects.visible_to(request.user).values("pk")
    participant = get_object_or_404(
        PledgeParticipant.objects.visible_to(request.user)
        .select_related("pledge", "entity")
        .filter(pledge__in=visible),
        pk=pk,
    )
    pledge = participant.pledge
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to accept or decline."))
        return _next_or(request, _detail_url(pledge, "participants"))
    accept = form.cleaned_data["response"] == "accept"
    try:
        services.respond_to_invitation(participant=participant, accept=accept, by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        done = (
            _("%(entity)s now co-pledges %(reference)s.")
            if accept
            else _("%(entity)s declined to co-pledge %(reference)s.")
        )
        messages.success(
            request, done % {"entity": participant.entity.name, "reference": pledge.reference}
        )
    return _next_or(request, _detail_url(pledge, "participants"))


@require_POST
@login_required
def link_create(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Relate the pledge to another one by its reference."""
    pledge = _visible_pledge(request, reference)
    form = LinkForm(request.POST, user=request.user)
    if form.is_valid():
        target: Pledge = form.cleaned_data["reference"]
        try:
            link = services.link_pledges(
                source=pledge, target=target, kind=form.cleaned_data["kind"], by=request.user
            )
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request,
                _("Linked: %(source)s %(kind)s %(target)s.")
                % {
                    "source": pledge.reference,
                    "kind": link.get_kind_display().lower(),
                    "target": target.reference,
                },
            )
    else:
        for item in form.error_summary():
            messages.error(request, item.message)
    return redirect(_detail_url(pledge, "links"))


@require_POST
@login_required
def link_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Remove a link from a pledge to another one (editors of the source pledge).

    Only links whose two ends the user may see are found, as on the pledge page: otherwise the
    confirmation message would name a pledge that is hidden from them."""
    visible = Pledge.objects.visible_to(request.user).values("pk")
    link = get_object_or_404(
        PledgeLink.objects.select_related("source", "target").filter(
            source__in=visible, target__in=visible
        ),
        pk=pk,
    )
    source = link.source
    try:
        services.unlink_pledges(link=link, by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Link removed: %(source)s %(kind)s %(target)s.")
            % {
                "source": source.reference,
                "kind": link.get_kind_display().lower(),
                "target": link.target.reference,
            },
        )
    return redirect(_detail_url(source, "links"))


# --------------------------------------------------------------------------------------------
# Progress updates
# --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def update_create(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Report progress on a published pledge (members of the submitting entity)."""
    pledge = _visible_pledge(
        request, reference, Pledge.objects.visible_to(request.user).select_related("currency")
    )
    entity_ids = reporting_entity_ids(pledge, request.user)
    if not entity_ids:
        raise PermissionDenied(
            _(
                "Only members of the submitting entity or of an accepted, verified co-pledging "
                "entity can report progress."
            )
        )
    if pledge.review_state != ReviewState.PUBLISHED:
        raise PermissionDenied(_("Progress can be reported on published pledges only."))
    form = UpdateForm(
        request.POST if request.method == "POST" else None, pledge=pledge, entity_ids=entity_ids
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_update(
                pledge=pledge,
                data=form.to_input(),
                by=request.user,
                entity=form.cleaned_data.get("entity"),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect(_detail_url(pledge))
        else:
            messages.success(
                request,
                _("Progress update on %(reference)s submitted: the secretariat will review it.")
                % {"reference": pledge.reference},
            )
            return redirect(_detail_url(pledge, "updates"))
    return render(
        request,
        "pledges/workspace/update_form.html",
        {"form": form, "pledge": pledge, "error_summary": form.error_summary()},
    )


@require_POST
@login_required
def pledge_reaffirm(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Reaffirm a published pledge at a later forum (its editors). Refusals are explained on
    the pledge page."""
    pledge = _visible_pledge(
        request, reference, Pledge.objects.visible_to(request.user).select_related("forum")
    )
    if not (is_active_member(request.user, pledge.entity_id) or is_secretariat(request.user)):
        raise PermissionDenied(_("Only the submitting entity can reaffirm this pledge."))
    form = ReaffirmForm(request.POST, pledge=pledge)
    if form.is_valid():
        forum: Forum = form.cleaned_data["forum"]
        try:
            services.reaffirm_pledge(
                pledge=pledge,
                forum=forum,
                by=request.user,
                reaffirmed_on=form.cleaned_data["reaffirmed_on"],
                note=form.cleaned_data["note"],
            )
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request,
                _("Pledge %(reference)s reaffirmed at %(forum)s.")
                % {"reference": pledge.reference, "forum": forum.name},
            )
    else:
        for item in form.error_summary():
            messages.error(request, item.message)
    return redirect(_detail_url(pledge, "reaffirmations"))


# --------------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------------

# The pledge fields the history shows, in page order. Bookkeeping fields (ids, timestamps of
# submission and publication, who created it) are left out: the reason column says the same.
HISTORY_FIELDS: dict[str, Any] = {
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "language": gettext_lazy("Original language"),
    "entity": gettext_lazy("Submitting entity"),
    "compact": gettext_lazy("Compact"),
    "forum": gettext_lazy("Forum"),
    "objectives": gettext_lazy("Objectives"),
    "actions": gettext_lazy("GCM actions"),
    "principles": gettext_lazy("Guiding principles"),
    "thematic_areas": gettext_lazy("Thematic areas"),
    "support_types": gettext_lazy("Types of support"),
    "geography_scope": gettext_lazy("Geographic scope"),
    "beneficiary_countries": gettext_lazy("Beneficiary countries"),
    "support_platform": gettext_lazy("Support platform"),
    "contact_name": gettext_lazy("Contact name"),
    "contact_email": gettext_lazy("Contact e-mail"),
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "review_state": gettext_lazy("Review state"),
    "implementation_status": gettext_lazy("Implementation status"),
    "last_update_on": gettext_lazy("Last approved update"),
}
HISTORY_FOREIGN_KEYS: dict[str, type[Model]] = {
    "entity": Entity,
    "compact": Compact,
    "forum": Forum,
    "support_platform": SupportPlatform,
    "currency": Currency,
}
HISTORY_M2M: dict[str, type[Model]] = {
    "objectives": Objective,
    "actions": ObjectiveAction,
    "principles": GuidingPrinciple,
    "thematic_areas": ThematicArea,
    "support_types": SupportType,
    "beneficiary_countries": Country,
}
HISTORY_CHOICES: dict[str, dict[str, Any]] = {
    "geography_scope": dict(GeographyScope.choices),
    "language": dict(settings.LANGUAGES),
    "review_state": dict(ReviewState.choices),
    "implementation_status": dict(ImplementationStatus.choices),
}


@dataclass
class FieldChange:
    label: Any
    old: str
    new: str


@dataclass
class Version:
    """One saved version of the pledge and what changed from the one before."""

    record: Any
    changes: list[FieldChange] = field(default_factory=list)


def _names(model: type[Model], ids: Iterable[Any]) -> dict[Any, str]:
    """Readable names for a set of related rows, in one query."""
    ids = set(ids) - {None}
    if not ids:
        return {}
    if model is Objective:
        objectives = Objective._default_manager.filter(pk__in=ids).select_related("compact")
        return {o.pk: f"{o.compact.code} {o.number}. {o.short_label}" for o in objectives}
    if model is ObjectiveAction:
        actions = ObjectiveAction._default_manager.filter(pk__in=ids).select_related("objective")
        return {a.pk: f"{a.objective.number}({a.letter})" for a in actions}
    if model is Currency:
        return {c.pk: c.pk for c in Currency._default_manager.filter(pk__in=ids)}
    return {row.pk: str(row) for row in model._default_manager.filter(pk__in=ids)}


def _m2m_rows(records: Sequence[Any]) -> dict[str, dict[int, set[Any]]]:
    """The M2M sets of every history record, per field: one query per field instead of the
    two per field and record that `diff_against` would make."""
    history_model = type(records[0])
    ids = [r.history_id for r in records]
    result: dict[str, dict[int, set[Any]]] = {}
    for name in HISTORY_M2M:
        through = getattr(history_model, name).model
        column = get_m2m_reverse_field_name(Pledge._meta.get_field(name)) + "_id"
        rows: dict[int, set[Any]] = {i: set() for i in ids}
        for history_id, related_id in through.objects.filter(history_id__in=ids).values_list(
            "history_id", column
        ):
            rows[history_id].add(related_id)
        result[name] = rows
    return result


def _display(value: Any, name: str, names: dict[str, dict[Any, str]]) -> str:
    if value is None or value == "" or value == set():
        return ""
    if name in HISTORY_M2M:
        return "; ".join(sorted(names[name].get(v, str(v)) for v in value))
    if name in HISTORY_FOREIGN_KEYS:
        return names[name].get(value, str(value))
    if name in HISTORY_CHOICES:
        return str(HISTORY_CHOICES[name].get(value, value))
    return str(formats.localize(value))


def _versions(records: Sequence[Any]) -> list[Version]:
    """Field-level before → after values of every record (newest first) against the one before
    it; the first version lists what the pledge was created with."""
    if not records:
        return []
    m2m = _m2m_rows(records)
    names: dict[str, dict[Any, str]] = {
        name: _names(model, (getattr(r, f"{name}_id") for r in records))
        for name, model in HISTORY_FOREIGN_KEYS.items()
    }
    for name, model in HISTORY_M2M.items():
        names[name] = _names(model, set().union(*m2m[name].values()))

    def value(record: Any, name: str) -> Any:
        if record is None:
            return None
        if name in HISTORY_M2M:
            return m2m[name][record.history_id]
        if name in HISTORY_FOREIGN_KEYS:
            return getattr(record, f"{name}_id")
        return getattr(record, name)

    versions = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        version = Version(record)
        for name, label in HISTORY_FIELDS.items():
            old, new = value(previous, name), value(record, name)
            if old != new and (old or new):
                version.changes.append(
                    FieldChange(label, _display(old, name, names), _display(new, name, names))
                )
        versions.append(version)
    return versions


def _public_audit(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """The audit entries (newest first) that everybody may see. Co-pledging is public on the
    same terms as the co-pledgers themselves (`PledgeParticipant.objects.public`): an entity's
    acceptance once it is verified, and a later removal of it; never an invitation that is
    pending or was declined, nor what an unverified entity did; never the secretariat's
    duplicate verdicts (the pledge page shows a public one); and never matches (the matching
    app's entries)."""
    about = [e for e in entries if e.action.startswith("pledges.participant.")]
    ids = {e.data.get("entity") for e in about} - {None}
    verified = set(Entity.objects.filter(pk__in=ids, is_verified=True).values_list("pk", flat=True))
    shown: list[AuditEntry] = []
    public: set[Any] = set()  # entities publicly on the pledge, oldest entry first
    for entry in reversed(entries):
        entity = entry.data.get("entity")
        if entry.action == "pledges.participant.accepted" and entity in verified:
            public.add(entity)
        elif entry.action == "pledges.participant.removed" and entity in public:
            public.discard(entity)
        elif entry.action.startswith(
            ("pledges.participant.", "pledges.duplicate.", "matching.match.", "reminders.")
        ):
            # A duplicate verdict's reason may name a pledge that is not public; a match is
            # public only once both sides accepted, and then on the pledge page: proposals,
            # answers and their messages stay between the two entities; reminders name the
            # contact's address.
            continue
        shown.append(entry)
    return shown[::-1]


@require_GET
def pledge_history(request: HttpRequest, reference: str) -> HttpResponse:
    """Every version of the pledge with its field changes, and the review decisions.

    Members of the submitting entity and the secretariat see it all. Everybody else sees the
    public record only: the versions of a published pledge from its publication on (earlier
    drafts were never public), and 404 while the pledge is not published.
    """
    pledge = _visible_pledge(request, reference)
    insider = is_secretariat(request.user) or is_active_member(request.user, pledge.entity_id)
    if not insider and pledge.review_state != ReviewState.PUBLISHED:
        raise Http404
    records = list(pledge.history.select_related("history_user").order_by("-history_date", "-pk"))
    versions = _versions(records)
    entries = entries_for(pledge)
    shown: Iterable[AuditEntry] = entries
    if not insider:
        public = [v for v in versions if v.record.review_state == ReviewState.PUBLISHED]
        since = public[-1].record.history_date if public else timezone.now()
        versions = public
        shown = _public_audit(list(entries.filter(created_at__gte=since)))
    audit = [(entry, AUDIT_LABELS.get(entry.action, entry.action)) for entry in shown]
    return render(
        request,
        "pledges/workspace/pledge_history.html",
        {"pledge": pledge, "versions": versions, "audit": audit, "is_insider": insider},
    )


__all__ = [
    "link_create",
    "link_remove",
    "my_pledges",
    "participant_invite",
    "participant_remove",
    "participant_respond",
    "pledge_create",
    "pledge_detail",
    "pledge_edit",
    "pledge_history",
    "pledge_reaffirm",
    "pledge_transition",
    "update_create",
]
