"""A signed-in person's own pages: "Preferences" (the language of their e-mails) and "API keys",
where they list, create and revoke the keys their programs use to call the REST API as them.

Views stay thin: the form checks the input's shape, `accounts.services` validates, writes and
audits. A person only ever reaches their own keys (`ApiKey.objects.owned_by`); anyone else's key
id answers 404, so ids reveal nothing. A new key's plaintext is shown in the answer to the POST
that created it and stored nowhere (not even briefly in the session); that page is never cached,
and reloading it cannot show the key again.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.forms import apply_service_error
from core.http import AuthenticatedHttpRequest

from . import services
from .forms import PreferencesForm
from .models import ApiKey, ApiKeyStatus

PAGE_SIZE = 20
# Where the plaintext of a key just created waits for its one display.
# The documented example call; the API router lives in config, which accounts must not import.
EXAMPLE_API_PATH = "/api/v1/pledges/"


class ApiKeyForm(forms.Form):
    """A new API key as a person describes it. The service checks uniqueness and the expiry."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=services.NAME_MAX_LENGTH,
        help_text=gettext_lazy("What the key is for, e.g. “Reporting system”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires_at = forms.DateField(
        label=gettext_lazy("Expiry date (optional)"),
        required=False,
        help_text=gettext_lazy(
            "The key stops working at 00:00 UTC on this day. Leave it empty for a key that "
            "works until you revoke it."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def expiry(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_at")
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_key_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the user's keys and create a new one (shown once, in the answer to the POST)."""
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    new_key: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            key, raw = services.create_api_key(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expiry(),
                by=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            new_key = {"key": key, "raw": raw}
            form = ApiKeyForm()  # an empty form for the next key
    keys = ApiKey.objects.owned_by(request.user).order_by("-created_at", "-pk")
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "keys": page.object_list,
        "new_key": new_key,
        "example_url": request.build_absolute_uri(EXAMPLE_API_PATH),
        "statuses": ApiKeyStatus,
    }
    return render(request, "accounts/api_key_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_key_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation (GET), then revoke (POST): a plain form, so it works without JS."""
    key = get_object_or_404(ApiKey.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.revoke_api_key(key=key, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The API key “%(name)s” is revoked. Programs using it can no longer connect.")
                % {"name": key.name},
            )
        return redirect("accounts:api-keys")
    if key.revoked_at is not None:
        messages.info(request, _("The API key “%(name)s” is already revoked.") % {"name": key.name})
        return redirect("accounts:api-keys")
    return render(request, "accounts/api_key_revoke.html", {"key": key})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show and change the language of the person's e-mails (a plain form, redirect after POST)."""
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.set_preferred_language(
                    user=request.user, language=form.cleaned_data["language"]
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("Your preferences are saved."))
                return redirect("accounts:preferences")
    else:
        form = PreferencesForm(initial={"language": request.user.language})
    return render(request, "accounts/preferences.html", {"form": form})
