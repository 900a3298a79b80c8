"""The public pages of the indicator framework (its editions, each indicator's values per
report edition) and the secretariat's Jobs page: recent runs of the progress engine, what is
waiting to be recomputed, and a button to recompute everything now.

Views stay thin: `indicators.history` reads the framework, `indicators.runner` the stale marks,
`indicators.tasks` queues the run.
"""

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pledges.views.review import secretariat_required

from . import delta, history, runner
from .models import Indicator, RecomputeRun, RunKind, RunStatus
from .tasks import request_full_recompute, tasks_run_inline

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
ERROR_EXCERPT_CHARS = 160


def framework(request: HttpRequest) -> HttpResponse:
    """The editions of the indicator framework, their indicators and the reports based on them."""
    return render(request, "indicators/framework.html", {"editions": history.editions()})


def indicator(request: HttpRequest, edition: str, code: str) -> HttpResponse:
    """One indicator of one edition: what it measures, whether its text is confirmed, and its
    global values per reference year and report edition."""
    found = get_object_or_404(
        Indicator.objects.select_related("edition", "compact", "objective__compact"),
        edition__slug=edition,
        code=code,
    )
    return render(
        request,
        "indicators/indicator.html",
        {"indicator": found, "history": history.indicator_history(found)},
    )


@secretariat_required
def jobs(request: HttpRequest) -> HttpResponse:
    """Runs newest first, how many objectives wait for a recompute, and the button."""
    page_obj = Paginator(RecomputeRun.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    runs = list(page_obj.object_list)
    stale_count, stale_since = runner.stale_summary()
    context = {
        "page_obj": page_obj,
        "runs": runs,
        "stale_count": stale_count,
        "stale_since": stale_since,
        "last_full": RecomputeRun.objects.filter(
            kind=RunKind.FULL, status=RunStatus.SUCCEEDED
        ).first(),
        "error_excerpt_chars": ERROR_EXCERPT_CHARS,
        "sums_ready": delta.base_ready(timezone.localdate()),
    }
    return render(request, "indicators/jobs.html", context)


@secretariat_required
@require_POST
def recompute_now(request: HttpRequest) -> HttpResponse:
    """Queue a full recompute (in the demo without Redis it runs before the page comes back)."""
    try:
        queued = request_full_recompute(triggered_by=request.user.get_username())
    except Exception:
        logger.exception("A full progress recompute could not be queued or failed inline.")
        if tasks_run_inline():  # it ran here and failed; its run row says why
            messages.error(request, _("The recompute failed; the list below shows the error."))
        else:
            messages.error(
                request,
                _(
                    "The recompute could not be queued: the task queue is unreachable. Nothing "
                    "is lost; try again in a moment."
                ),
            )
        return redirect("indicators:jobs")
    if not queued:
        messages.info(
            request,
            _("A full recompute is already queued or running; it covers every objective."),
        )
    elif tasks_run_inline():
        messages.success(request, _("Progress was recomputed for every objective."))
    else:
        messages.success(
            request,
            _(
                "A full recompute is queued. It appears in the list below when a worker starts "
                "it; reload the page to follow it."
            ),
        )
    return redirect("indicators:jobs")
