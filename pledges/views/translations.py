"""The translations of a pledge's title and description: listed, added, changed and removed on
one small page linked from the pledge page and the editor.

Who may: whoever may edit the pledge's own text now (`workflow.can_edit`; the services check
again). A pledge the user may not see answers 404, one they may see but not change 403.
"""

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

from .. import services
from ..forms import TranslationForm
from ..models import Pledge, PledgeTranslation
from ..workflow import can_edit


def _translatable(request: AuthenticatedHttpRequest, reference: str) -> Pledge:
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user).select_related("compact", "forum", "entity"),
        reference=reference,
    )
    if not can_edit(pledge, request.user):
        raise PermissionDenied(_("You cannot change the translations of this pledge now."))
    return pledge


def _list_url(pledge: Pledge) -> str:
    return reverse("pledges:pledge-translations", args=[pledge.reference])


@login_required
@require_http_methods(["GET", "POST"])
def pledge_translations(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The pledge's translations, and the form to add one."""
    pledge = _translatable(request, reference)
    form = TranslationForm(request.POST if request.method == "POST" else None, pledge=pledge)
    if form.is_bound and form.is_valid():
        data = services.TranslationInput(
            language=form.cleaned_data["language"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        )
        try:
            added = services.add_translation(pledge=pledge, data=data, by=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                _("Translation into %(language)s added.") % {"language": added.language_name},
            )
            return redirect(_list_url(pledge))
    return render(
        request,
        "pledges/workspace/pledge_translations.html",
        {
            "pledge": pledge,
            "translations": pledge.translations.all(),
            "form": form,
            "error_summary": form.error_summary() if form.is_bound else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def translation_edit(
    request: AuthenticatedHttpRequest, reference: str, language: str
) -> HttpResponse:
    """Change the title and description of one translation."""
    pledge = _translatable(request, reference)
    existing = get_object_or_404(PledgeTranslation, pledge=pledge, language=language)
    form = TranslationForm(
        request.POST if request.method == "POST" else None, pledge=pledge, existing=existing
    )
    if form.is_bound and form.is_valid():
        try:
            services.change_translation(
                translation=existing,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                _("Translation into %(language)s saved.") % {"language": existing.language_name},
            )
            return redirect(_list_url(pledge))
    return render(
        request,
        "pledges/workspace/translation_form.html",
        {
            "pledge": pledge,
            "translation": existing,
            "form": form,
            "error_summary": form.error_summary() if form.is_bound else [],
        },
    )


@require_POST
@login_required
def translation_remove(
    request: AuthenticatedHttpRequest, reference: str, language: str
) -> HttpResponse:
    """Remove one translation (the page asks for confirmation first)."""
    pledge = _translatable(request, reference)
    existing = get_object_or_404(PledgeTranslation, pledge=pledge, language=language)
    services.remove_translation(translation=existing, by=request.user)
    messages.success(
        request,
        _("Translation into %(language)s removed.") % {"language": existing.language_name},
    )
    return redirect(_list_url(pledge))
