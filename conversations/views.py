"""The private thread of a pledge or a progress update: comments and review decisions by time.

Only the entity's members and the secretariat reach it; anybody else gets 404, as for a draft
(they may not know a conversation exists)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.audit import entries_for
from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest
from pledges.models import Pledge, PledgeUpdate
from pledges.workflow import PLEDGE_TRANSITIONS, UPDATE_TRANSITIONS

from . import services
from .forms import CommentForm
from .models import Comment

# The review steps shown between the comments (audit actions → labels).
PLEDGE_STEPS = {f"pledges.pledge.{name}": t.label for name, t in PLEDGE_TRANSITIONS.items()}
UPDATE_STEPS = {
    "pledges.update.submitted": gettext_lazy("Submitted for review"),
    **{f"pledges.update.{name}": t.label for name, t in UPDATE_TRANSITIONS.items()},
}


@dataclass
class Item:
    """One line of the thread: a comment, or a review step (decision, submission)."""

    at: dt.datetime
    who: Any
    comment: Comment | None = None
    step: str = ""
    reason: str = ""


def _items(pledge: Pledge, update: PledgeUpdate | None) -> list[Item]:
    comments = Comment.objects.filter(pledge=pledge, update=update).select_related("author")
    items = [Item(c.created_at, c.author, comment=c) for c in comments]
    subject: Any = update if update is not None else pledge
    steps = UPDATE_STEPS if update is not None else PLEDGE_STEPS
    for entry in entries_for(subject).filter(action__in=list(steps)):
        items.append(
            Item(entry.created_at, entry.actor, step=str(steps[entry.action]), reason=entry.reason)
        )
    return sorted(items, key=lambda item: item.at)


def _thread(
    request: AuthenticatedHttpRequest, pledge: Pledge, update: PledgeUpdate | None
) -> HttpResponse:
    if not services.may_converse(request.user, pledge, update):
        raise Http404
    status = 200
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.add_comment(
                    pledge=pledge, update=update, by=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                return redirect(request.path + "#comment-form")
        status = 400
    else:
        form = CommentForm()
    context = {"pledge": pledge, "update": update, "items": _items(pledge, update), "form": form}
    return render(request, "conversations/thread.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def pledge_thread(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user).select_related("entity"), reference=reference
    )
    return _thread(request, pledge, None)


@login_required
@require_http_methods(["GET", "POST"])
def update_thread(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(
        PledgeUpdate.objects.select_related("pledge__entity", "entity"), pk=pk
    )
    pledge = update.pledge
    if not Pledge.objects.visible_to(request.user).filter(pk=pledge.pk).exists():
        raise Http404
    return _thread(request, pledge, update)
