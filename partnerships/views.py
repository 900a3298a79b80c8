"""Pages of multistakeholder pledges: the public list and detail, and the workspace pages where a
pledge's entity asks to join, leads decide, and the secretariat manages MSPs.

Views stay thin: the services decide who may do what (PermissionDenied answers 403) and what
is valid (field messages on the form); the selectors decide what is public.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest
from pledges.exceptions import TransitionNotAllowed
from pledges.models import Pledge
from pledges.views.download_links import download_urls
from pledges.workflow import is_secretariat

from . import selectors, services
from .forms import (
    DecisionForm,
    JoinForm,
    LeadInviteForm,
    LinkPledgeForm,
    MessageForm,
    MspForm,
    OutcomeFormSet,
)
from .models import (
    CURRENT_STATES,
    LeadStatus,
    MembershipState,
    MultistakeholderLead,
    MultistakeholderMembership,
    MultistakeholderPledge,
)

PER_PAGE = 25
SORT_LABELS = {
    "title": _("Title (A–Z)"),
    "members": _("Most member pledges"),
    "newest": _("Newest first"),
}


def _msp(slug: str) -> MultistakeholderPledge:
    return get_object_or_404(selectors.listed(), slug=slug)


def _managed(request: HttpRequest, slug: str) -> MultistakeholderPledge:
    msp = _msp(slug)
    if not services.can_manage(request.user, msp):
        raise PermissionDenied(_("Only the secretariat and the lead entities can manage this."))
    return msp


def _require_secretariat(request: HttpRequest) -> None:
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat can do this."))


def _detail_url(msp: MultistakeholderPledge, anchor: str = "") -> str:
    url = reverse("partnerships:msp-detail", args=[msp.slug])
    return f"{url}#{anchor}" if anchor else url


def _browse(msp: MultistakeholderPledge, **extra: str) -> str:
    """The pledge browser filtered to this MSP's counted members (and more filters)."""
    query = QueryDict(mutable=True)
    query["msp"] = msp.slug
    for name, value in extra.items():
        query[name] = value
    return f"{reverse('pledges:pledge-list')}?{query.urlencode()}"


# --- public ----------------------------------------------------------------------------------


@require_GET
def msp_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "title")
    if sort not in selectors.SORTS:
        sort = "title"
    page = Paginator(selectors.msp_list(sort), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partnerships/msp_list.html",
        {
            "page": page,
            "sort": sort,
            "sorts": list(SORT_LABELS.items()),
            "can_create": is_secretariat(request.user),
        },
    )


def _figures(msp: MultistakeholderPledge) -> dict[str, Any] | None:
    """The latest overall snapshot the progress engine wrote (reverse relation: the engine's
    app sits above this one)."""
    snapshot = (
        msp.snapshots.filter(slice_kind="overall", slice_key="")  # type: ignore[attr-defined]  # indicators' reverse FK
        .order_by("-date")
        .values("figures", "date", "computed_at")
        .first()
    )
    if snapshot is None:
        return None
    figures = dict(snapshot["figures"])
    figures["status_links"] = [
        (status, count, _browse(msp, implementation_status=status.replace("no_update", "none")))
        for status, count in figures.get("status", {}).items()
    ]
    figures["targets_list"] = sorted(figures.get("targets", {}).items())
    return {"figures": figures, "date": snapshot["date"], "computed_at": snapshot["computed_at"]}


@require_GET
def msp_detail(request: HttpRequest, slug: str) -> HttpResponse:
    msp = get_object_or_404(
        selectors.listed()
        .select_related("thematic_area")
        .prefetch_related(selectors.public_leads(), "objectives", "key_outcomes"),
        slug=slug,
    )
    members = Paginator(selectors.member_pledges(msp), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partnerships/msp_detail.html",
        {
            "msp": msp,
            "page": members,
            "snapshot": _figures(msp),
            "browse_url": _browse(msp),
            # The browser's `msp` filter selects exactly the members listed here.
            "downloads": download_urls("pledges:pledge-export", {"msp": msp.slug}),
            "can_manage": services.can_manage(request.user, msp),
            "is_secretariat": is_secretariat(request.user),
        },
    )


# --- the pledge's entity ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pledge_join(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The pledge's entity asks to join a multistakeholder pledge (a page of its own)."""
    pledge = get_object_or_404(Pledge.objects.visible_to(request.user), reference=reference)
    if not services.can_ask_to_join(request.user, pledge):
        raise PermissionDenied(_("Only the pledge's entity can ask to join for it."))
    form = JoinForm(request.POST or None, pledge=pledge)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.request_membership(
                msp=form.cleaned_data["msp"],
                pledge=pledge,
                by=request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(reference)s asked to join “%(msp)s”; its leads will decide.")
                % {"reference": pledge.reference, "msp": membership.msp.title},
            )
            return redirect("partnerships:my-msps")
    memberships = pledge.msp_memberships.select_related("msp").order_by("-requested_at")  # type: ignore[attr-defined]  # our reverse FK
    return render(
        request,
        "partnerships/pledge_join.html",
        {"pledge": pledge, "form": form, "memberships": memberships},
    )


@login_required
@require_GET
def my_msps(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Invitations to lead, the MSPs the user's entities lead, their pledges' memberships; and
    a reference box that opens a pledge's join page."""
    reference = request.GET.get("reference", "").strip().upper()
    if reference:
        return redirect("partnerships:pledge-join", reference=reference[:20])
    context = selectors.workspace_rows(request.user)
    context["my_url"] = reverse("pledges:my-pledges")
    return render(request, "partnerships/my_msps.html", context)


@login_required
@require_POST
def lead_respond(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(
        MultistakeholderLead.objects.select_related("msp", "entity").filter(
            entity_id__in=selectors.own_entity_ids(request.user)
        ),
        pk=pk,
    )
    accept = request.POST.get("response") == "accept"
    if request.POST.get("response") not in {"accept", "decline"}:
        messages.error(request, _("Choose whether to accept or decline."))
        return redirect("partnerships:my-msps")
    try:
        services.respond_to_lead_invitation(lead=lead, accept=accept, by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        done = (
            _("%(entity)s now leads “%(msp)s”.")
            if accept
            else _("%(entity)s declined to lead “%(msp)s”.")
        )
        messages.success(request, done % {"entity": lead.entity.name, "msp": lead.msp.title})
    return redirect("partnerships:my-msps")


# --- leads and the secretariat ---------------------------------------------------------------


@login_required
@require_GET
def msp_requests(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    msp = _managed(request, slug)
    return render(
        request,
        "partnerships/msp_requests.html",
        {"msp": msp, "requests": selectors.pending_requests(msp)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm accepting or declining one request, with an optional message."""
    membership = get_object_or_404(
        MultistakeholderMembership.objects.select_related("msp", "pledge", "pledge__entity"),
        pk=pk,
    )
    msp = _managed(request, membership.msp.slug)
    if membership.state != MembershipState.REQUESTED:
        messages.info(request, _("This request has already been decided."))
        return redirect("partnerships:msp-requests", slug=msp.slug)
    form = DecisionForm(request.POST or None, initial={"decision": request.GET.get("decision")})
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.decide_membership(
                membership=membership,
                accept=accept,
                by=request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            done = (
                _("%(reference)s is now a member.") if accept else _("%(reference)s was declined.")
            )
            messages.success(request, done % {"reference": membership.pledge.reference})
            return redirect("partnerships:msp-requests", slug=msp.slug)
    return render(
        request,
        "partnerships/membership_decide.html",
        {"msp": msp, "membership": membership, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm ending a membership (managers) or withdrawing one's own pledge or request."""
    membership = get_object_or_404(
        MultistakeholderMembership.objects.select_related("msp", "pledge").filter(
            state__in=CURRENT_STATES
        ),
        pk=pk,
    )
    own = membership.pledge.entity_id in selectors.own_entity_ids(request.user)
    if not (own or services.can_manage(request.user, membership.msp)):
        raise PermissionDenied(_("Only the pledge's entity or the managers can remove it."))
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_membership(
                membership=membership, by=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            apply_service_error(form, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(reference)s is no longer in “%(msp)s”.")
                % {"reference": membership.pledge.reference, "msp": membership.msp.title},
            )
            if own and not services.can_manage(request.user, membership.msp):
                return redirect("partnerships:my-msps")
            return redirect("partnerships:msp-members", slug=membership.msp.slug)
    return render(
        request, "partnerships/membership_remove.html", {"membership": membership, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def msp_members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Current members (any pledge state: the managers see what they manage); the secretariat
    links a pledge directly."""
    msp = _managed(request, slug)
    form = LinkPledgeForm(request.POST or None)
    if request.method == "POST":
        _require_secretariat(request)
        if form.is_valid():
            try:
                services.link_pledge(
                    msp=msp,
                    pledge=form.cleaned_data["reference"],
                    by=request.user,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                apply_service_error(form, error)
            except TransitionNotAllowed as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(reference)s is now a member.")
                    % {"reference": form.cleaned_data["reference"].reference},
                )
                return redirect("partnerships:msp-members", slug=msp.slug)
    return render(
        request,
        "partnerships/msp_members.html",
        {
            "msp": msp,
            "members": selectors.current_members(msp),
            "form": form,
            "is_secretariat": is_secretariat(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def msp_outcomes(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    msp = _managed(request, slug)
    initial = [
        {
            "text": o.text,
            "unit": o.unit,
            "target_value": o.target_value,
            "target_year": o.target_year,
        }
        for o in msp.key_outcomes.all()
    ]
    formset = OutcomeFormSet(request.POST or None, initial=initial, prefix="outcomes")
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        outcomes = [
            f.to_input()
            for f in formset.forms
            if f.cleaned_data and (f.cleaned_data.get("text") or "").strip()
        ]
        try:
            services.set_key_outcomes(msp=msp, outcomes=outcomes, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Key outcomes saved."))
            return redirect(_detail_url(msp, "outcomes"))
    return render(
        request,
        "partnerships/msp_outcomes.html",
        {"msp": msp, "formset": formset, "service_errors": errors},
    )


@login_required
@require_http_methods(["GET", "POST"])
def msp_leads(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The secretariat invites lead entities and removes them."""
    _require_secretariat(request)
    msp = _msp(slug)
    form = LeadInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.invite_lead(
                msp=msp, entity=form.cleaned_data["entity"], by=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, _("%(entity)s is invited to lead.") % {"entity": lead.entity.name}
            )
            return redirect("partnerships:msp-leads", slug=msp.slug)
    leads = msp.leads.select_related("entity").order_by("entity__name")
    return render(
        request,
        "partnerships/msp_leads.html",
        {"msp": msp, "leads": leads, "form": form, "invited": LeadStatus.INVITED},
    )


@login_required
@require_POST
def lead_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_secretariat(request)
    lead = get_object_or_404(MultistakeholderLead.objects.select_related("msp", "entity"), pk=pk)
    services.remove_lead(lead=lead, by=request.user, reason=request.POST.get("reason", "")[:2000])
    messages.success(request, _("%(entity)s no longer leads.") % {"entity": lead.entity.name})
    return redirect("partnerships:msp-leads", slug=lead.msp.slug)


@login_required
@require_http_methods(["GET", "POST"])
def msp_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_secretariat(request)
    form = MspForm(request.POST or None, initial={"status": "active"})
    if request.method == "POST" and form.is_valid():
        try:
            msp = services.create_msp(data=form.to_input(), by=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Multistakeholder pledge created."))
            return redirect(_detail_url(msp))
    return render(request, "partnerships/msp_form.html", {"form": form, "msp": None})


@login_required
@require_http_methods(["GET", "POST"])
def msp_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _require_secretariat(request)
    msp = _msp(slug)
    form = MspForm(request.POST or None, initial=MspForm.initial_of(msp))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                msp = services.update_msp(msp=msp, data=form.to_input(), by=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Multistakeholder pledge saved."))
            return redirect(_detail_url(msp))
    return render(request, "partnerships/msp_form.html", {"form": form, "msp": msp})
