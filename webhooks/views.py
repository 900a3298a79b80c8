"""A partner's webhook pages: subscriptions (create, edit, pause, resume, rotate the secret,
delete) and each one's deliveries with their attempts (paginated, with replay).

Thin views: the form checks the input's shape, `webhooks.services` validates, writes and audits.
A person only reaches their own subscriptions (`owned_by`); anyone else's id answers 404. A
secret is shown in the answer to the POST that created it (creation, rotation) and never again.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest

from . import services
from .forms import SubscriptionForm
from .models import EventType, WebhookAttempt, WebhookSubscription

PAGE_SIZE = 20
ATTEMPTS_SHOWN = 5


def _own(request: AuthenticatedHttpRequest, public_id: UUID) -> WebhookSubscription:
    return get_object_or_404(
        WebhookSubscription.objects.owned_by(request.user).select_related(
            "compact", "objective__compact", "forum"
        ),
        public_id=public_id,
    )


def _secret_page(
    request: AuthenticatedHttpRequest, subscription: WebhookSubscription, secret: str, *, new: bool
) -> HttpResponse:
    return render(
        request,
        "webhooks/subscription_secret.html",
        {"subscription": subscription, "secret": secret, "new": new},
    )


@login_required
@require_http_methods(["GET"])
def subscription_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    subscriptions = (
        WebhookSubscription.objects.owned_by(request.user)
        .select_related("compact", "objective__compact", "forum")
        .annotate(delivery_count=Count("deliveries"))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(subscriptions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/subscription_list.html",
        {"page": page, "subscriptions": page.object_list, "event_labels": dict(EventType.choices)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def subscription_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = services.create_subscription(
                owner=request.user, data=form.to_input()
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return _secret_page(request, subscription, secret, new=True)
    return render(request, "webhooks/subscription_form.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def subscription_detail(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    subscription = _own(request, public_id)
    deliveries = subscription.deliveries.select_related("event").prefetch_related(
        Prefetch(
            "attempts",
            queryset=WebhookAttempt.objects.order_by("-attempted_at", "-pk"),
        )
    )
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "subscription": subscription,
        "page": page,
        "deliveries": page.object_list,
        "attempts_shown": ATTEMPTS_SHOWN,
        "event_labels": dict(EventType.choices),
    }
    return render(request, "webhooks/subscription_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    subscription = _own(request, public_id)
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            try:
                services.change_subscription(
                    subscription=subscription, data=form.to_input(), by=request.user
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("The subscription is saved."))
                return redirect("webhooks:detail", public_id=subscription.public_id)
    else:
        form = SubscriptionForm(initial=SubscriptionForm.initial_for(subscription))
    return render(
        request, "webhooks/subscription_form.html", {"form": form, "subscription": subscription}
    )


@login_required
@require_POST
def subscription_pause(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    subscription = _own(request, public_id)
    services.pause_subscription(
        subscription=subscription, by=request.user, reason=_("Paused by its owner.")
    )
    messages.success(request, _("The subscription is paused: nothing is sent until you resume it."))
    return redirect("webhooks:detail", public_id=subscription.public_id)


@login_required
@require_POST
def subscription_resume(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    subscription = _own(request, public_id)
    services.resume_subscription(subscription=subscription, by=request.user)
    messages.success(request, _("The subscription is active again; waiting deliveries are sent."))
    return redirect("webhooks:detail", public_id=subscription.public_id)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def subscription_rotate(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """Confirm (GET), then rotate (POST) and show the new secret once."""
    subscription = _own(request, public_id)
    if request.method == "POST":
        subscription, secret = services.rotate_secret(subscription=subscription, by=request.user)
        return _secret_page(request, subscription, secret, new=False)
    return render(request, "webhooks/subscription_rotate.html", {"subscription": subscription})


@login_required
@require_http_methods(["GET", "POST"])
def subscription_delete(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """Confirm (GET), then delete (POST) with its delivery log."""
    subscription = _own(request, public_id)
    if request.method == "POST":
        services.delete_subscription(subscription=subscription, by=request.user)
        messages.success(
            request, _("The subscription to %(url)s is deleted.") % {"url": subscription.url}
        )
        return redirect("webhooks:list")
    return render(request, "webhooks/subscription_delete.html", {"subscription": subscription})


@login_required
@require_POST
def delivery_replay(
    request: AuthenticatedHttpRequest, public_id: UUID, delivery_id: UUID
) -> HttpResponse:
    subscription = _own(request, public_id)
    delivery = get_object_or_404(subscription.deliveries, public_id=delivery_id)
    try:
        services.replay_delivery(delivery=delivery, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event will be sent again in a moment."))
    return redirect("webhooks:detail", public_id=subscription.public_id)
