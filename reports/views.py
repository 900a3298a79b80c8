"""The secretariat's reports: the printable report per compact and forum, its XLSX export, and
the overdue list with its CSV download. Secretariat only.

Views stay thin: a form checks the filters, `selectors` counts, `exports` writes files.
"""

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from pledges.models import Pledge, overdue_cutoff
from pledges.views.review import secretariat_required

from . import exports
from .forms import ReportForm, ScopeForm
from .selectors import (
    build_report,
    overdue_pledges,
    overdue_rows,
    pledge_days_overdue,
    reminder_contact,
    with_reminder_contact,
)

PER_PAGE = 25
# `?sort=` of the overdue list: an allowlist of orderings, never a column name from the URL.
OVERDUE_SORTS: dict[str, tuple[Any, list[Any]]] = {
    "overdue": (_("Longest overdue first"), [F("last_report").asc(), "reference"]),
    "recent": (_("Most recently due first"), [F("last_report").desc(), "reference"]),
    "reference": (_("Reference"), ["reference"]),
    "entity": (_("Entity (A–Z)"), ["entity__name", "reference"]),
    "forum": (_("Forum"), ["forum__code", "reference"]),
}
DEFAULT_SORT = "overdue"


def _filename(basename: str, extension: str, form: ScopeForm) -> str:
    scope = form.scope
    parts = [basename, scope.compact.code]
    if scope.forum_code:
        parts.append("between-forums" if scope.between_forums else scope.forum_code)
    if scope.round is not None:
        parts.append(f"round{scope.round.pk}")
    return f"{'-'.join(parts)}-{timezone.localdate().isoformat()}.{extension}".lower()


def _who(user: Any) -> str:
    return f"{user.full_name} <{user.email}>" if user.full_name else user.email


def _bad_filters(request: HttpRequest, form: ScopeForm) -> HttpResponse:
    """400 with the form's messages: a download link with wrong filters must not give a file
    that looks like a report of something else."""
    body = render_to_string("reports/bad_filters.html", {"form": form}, request=request)
    return HttpResponseBadRequest(body)


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@secretariat_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Status shares, news since a date, overdue pledges and top thematic areas."""
    form = ReportForm(request.GET)
    context: dict[str, Any] = {"form": form, "generated_at": timezone.localtime()}
    if form.is_valid():
        scope = form.scope
        context.update(
            report=build_report(scope, since=form.cleaned_data["since"], on=form.today),
            filters=form.describe(),
            browser_query=scope.browser_query(),
            export_query=urlencode(
                {
                    "compact": scope.compact.code,
                    "forum": scope.forum_code,
                    "round": scope.round.pk if scope.round else "",
                    "since": form.cleaned_data["since"].isoformat(),
                }
            ),
            scope_query=urlencode(scope.query()),
        )
    return render(request, "reports/report.html", context, status=200 if form.is_valid() else 400)


@secretariat_required
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The report as a workbook: a cover sheet with the filters, then one sheet per table."""
    form = ReportForm(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form)
    today = form.today
    report_data = build_report(
        form.scope, since=form.cleaned_data["since"], on=today, previews=False
    )
    handle = exports.report_workbook(
        report_data,
        filters=form.describe(),
        by=_who(request.user),
        overdue=overdue_rows(form.scope, on=today),
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_filename("report", "xlsx", form),
        content_type=exports.XLSX_TYPE,
    )


# --------------------------------------------------------------------------------------------
# Overdue list
# --------------------------------------------------------------------------------------------


def _sort(request: HttpRequest) -> str:
    requested = request.GET.get("sort", "")
    return requested if requested in OVERDUE_SORTS else DEFAULT_SORT


def _overdue(form: ScopeForm, sort: str, today: dt.date) -> QuerySet[Pledge]:
    return with_reminder_contact(overdue_pledges(form.scope, on=today)).order_by(
        *OVERDUE_SORTS[sort][1]
    )


def _page(request: HttpRequest, queryset: QuerySet[Pledge], today: dt.date) -> Page:
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    for pledge in page.object_list:
        # For the template; `last_report` is annotated by PledgeQuerySet.overdue.
        pledge.contact = reminder_contact(pledge)  # type: ignore[attr-defined]  # as above
        pledge.days_overdue = pledge_days_overdue(pledge, on=today)  # type: ignore[attr-defined]  # as above
    return page


@secretariat_required
@require_GET
def overdue_list(request: HttpRequest) -> HttpResponse:
    """Published pledges with no approved update in two reporting cycles, and whom to remind."""
    form = ScopeForm(request.GET)
    sort = _sort(request)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "form": form,
        "sort": sort,
        "sorts": OVERDUE_SORTS,
        "generated_at": timezone.localtime(),
    }
    if form.is_valid():
        context.update(
            page=_page(request, _overdue(form, sort, today), today),
            filters=form.describe(),
            cutoff=overdue_cutoff(today),
            round=form.scope.round,
            scope_query=urlencode(form.scope.query()),
        )
    return render(
        request, "reports/overdue_list.html", context, status=200 if form.is_valid() else 400
    )


@secretariat_required
@require_GET
def overdue_csv(request: HttpRequest) -> HttpResponseBase:
    """The whole overdue list (in the list's sort order) as CSV, streamed."""
    form = ScopeForm(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form)
    sort = _sort(request)
    today = timezone.localdate()
    response = StreamingHttpResponse(
        exports.overdue_csv_lines(_overdue(form, sort, today), on=today),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("overdue", "csv", form)}"'
    return response
