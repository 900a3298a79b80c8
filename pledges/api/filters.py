"""What each filter of the pledge API means: the public browser's `PledgeFilter`, extended.

The API reuses the browser's filters, so `compact=GCM`, `forum=GRF23`, `country=KE`,
`region=002`, `entity_type=state`, `thematic_area=education`, `support_type=financial` and
`implementation_status=none` select exactly the pledges the browser selects. It differs in three
deliberate ways:

- `objective` takes `GCM-23` (as in the browser) or a bare number, which means the objective of
  that number in the compact(s) chosen with `compact` — `compact=GCM&objective=23`. The browser
  reads a bare number as an objective id; in the API ids go to `objective_id`, so that a number
  never means two things.
- Text search is `search` (the browser's `q`) and sorting is `ordering` over an explicit list of
  fields (the browser's `sort`), because API lists are cursor-paginated on a column.
- The API adds `entity`, `review_state`, `support_platform` and `updated_since`.

Progress updates and entities are filtered *through their pledges* with the very same filters
(`PledgesThrough`): `/pledge-updates/?compact=GCM&objective=23` lists the updates of the pledges
`/pledges/?compact=GCM&objective=23` lists.
"""

import copy
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field

from compacts.models import Objective, SupportPlatform
from core.api.filters import IsoDateTimeFilter, LeanFilterSet, ValidatedValues
from core.forms import model_choice_field
from core.models import Country, Region
from pledges.filters import OBJECTIVE_TOKEN, PledgeFilter, _is_empty
from pledges.models import (
    Entity,
    EntityType,
    ImplementationStatus,
    Pledge,
    PledgeUpdate,
    ReviewState,
    UpdateReviewState,
)

BARE_NUMBER = re.compile(r"^[0-9]{1,3}$")


# --------------------------------------------------------------------------------------------
# Objectives by compact and number
# --------------------------------------------------------------------------------------------


class ObjectiveRefsField(forms.Field):
    """Objective references as given: `GCM-23` or a bare number. Only their shape is checked
    here; `ApiFilterForm.clean` resolves them, because a bare number needs the compact."""

    widget = forms.SelectMultiple

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        tokens = [str(v).strip().upper() for v in values if str(v).strip()]
        bad = [t for t in tokens if not (OBJECTIVE_TOKEN.match(t) or BARE_NUMBER.match(t))]
        if bad:
            raise forms.ValidationError(
                _(
                    "“%(value)s” is not an objective: write GCM-23, or 23 together with "
                    "compact=GCM."
                ),
                code="invalid_choice",
                params={"value": bad[0]},
            )
        return tokens


class RepeatableTextInput(forms.TextInput):
    """A text box for a filter over a big table (entities, pledges): it reads repeated
    parameters like a multiple select, but the browsable API's filter form shows it without
    listing every row of the table as an option."""

    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getlist = getattr(data, "getlist", None)
        return getlist(name) if getlist is not None else data.get(name)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value) or None
        return super().format_value(value)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ObjectiveRefsFilter(django_filters.Filter):
    """`objective=GCM-23` or `compact=GCM&objective=23` (several values are ORed)."""

    field_class = ObjectiveRefsField


class ApiFilterForm(forms.Form):
    """Resolves `objective` once every field is clean: a bare number needs the chosen compact.

    Errors carry their values as `params`, never formatted in: django-filter formats messages
    once more, and a value with a `%` in it would otherwise break that (a 500, found by the
    contract test's fuzzing)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tokens = cleaned.get("objective")
        if "objective" in self.fields and tokens:
            objectives = self._resolve_objectives(tokens, cleaned.get("compact"))
            if objectives is not None:
                cleaned["objective"] = objectives
        return cleaned

    def _refuse(self, message: str, **params: str) -> None:
        self.add_error("objective", forms.ValidationError(message, params=params))

    def _resolve_objectives(self, tokens: list[str], compacts: Any) -> list[Objective] | None:
        chosen = [c.code for c in compacts] if compacts is not None else []
        wanted: list[tuple[str, str, int]] = []  # (as given, compact code, number)
        for token in tokens:
            match = OBJECTIVE_TOKEN.match(token)
            if match:
                wanted.append((token, match["compact"], int(match["number"])))
            elif not chosen:
                self._refuse(
                    _(
                        "Objective “%(value)s”: say which compact — "
                        "compact=GCM&objective=%(value)s — or write GCM-%(value)s."
                    ),
                    value=token,
                )
                return None
            else:
                wanted += [(token, code, int(token)) for code in chosen]
        condition = Q(pk__in=[])
        for _given, code, number in wanted:
            condition |= Q(compact__code=code, number=number)
        found = list(Objective.objects.filter(condition).select_related("compact"))
        known = {(o.compact.code, o.number) for o in found}
        for token in tokens:
            if not any(given == token and (code, n) in known for given, code, n in wanted):
                if chosen:
                    self._refuse(
                        _("There is no objective “%(value)s” in %(compacts)s."),
                        value=token,
                        compacts=", ".join(chosen),
                    )
                else:
                    self._refuse(_("There is no objective “%(value)s”."), value=token)
                return None
        outside = [o for o in found if chosen and o.compact.code not in chosen]
        if outside:
            self._refuse(
                _("%(objective)s is not an objective of the chosen compact (%(compacts)s)."),
                objective=f"{outside[0].compact.code}-{outside[0].number}",
                compacts=", ".join(chosen),
            )
            return None
        return found


# --------------------------------------------------------------------------------------------
# Pledges
# --------------------------------------------------------------------------------------------


# LeanFilterSet's `filters` is a dict, django-filter's an OrderedDict: the same mapping.
class PledgeApiFilter(LeanFilterSet, PledgeFilter):  # type: ignore[misc]  # as said above
    """The pledge filters of the API (module docstring). Sorting is left to `ordering`."""

    # The browser's objective ids become references (GCM-23) here.
    objective = ObjectiveRefsFilter(  # type: ignore[assignment]  # replaces PledgeFilter's
        label=gettext_lazy("Objective"),
        method="filter_objective",
        help_text=gettext_lazy(
            "`GCM-23`, or the objective's number together with `compact` "
            "(`compact=GCM&objective=23`). Repeat to OR several."
        ),
    )
    objective_id = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Objective id"),
        queryset=Objective.objects.all(),
        method="filter_objective",
        help_text=gettext_lazy("The objective's `id` in /api/v1/objectives/."),
    )
    search = django_filters.CharFilter(
        label=gettext_lazy("Search"),
        method="filter_text",
        max_length=200,
        help_text=gettext_lazy(
            "Words in the reference, title, description or entity name (web-search syntax: "
            '"a phrase", -excluded); a reference such as GRF23-00042 finds that pledge.'
        ),
    )
    entity = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Entity"),
        # Narrowed per request in `form` (the form class is shared by every caller).
        queryset=Entity.objects.all(),
        to_field_name="public_id",
        method="filter_entity",
        widget=RepeatableTextInput,
        help_text=gettext_lazy(
            "An entity's `id`: the pledges it stands behind, as submitter or as a co-pledger "
            "that accepted, once verified (as on its public page)."
        ),
    )
    review_state = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Review state"),
        choices=ReviewState.choices,
        method="filter_review_state",
        help_text=gettext_lazy(
            "Editorial state. Anonymous callers and partners only ever see published pledges; "
            "members also see their entity's drafts, the secretariat every pledge."
        ),
    )
    support_platform = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Support platform"),
        queryset=SupportPlatform.objects.all(),
        to_field_name="code",
        method="filter_support_platform",
        help_text=gettext_lazy("Code of a regional support platform, e.g. MIRPS."),
    )
    updated_since = IsoDateTimeFilter(
        label=gettext_lazy("Updated since"),
        field_name="updated_at",
        lookup_expr="gte",
        help_text=gettext_lazy(
            "ISO 8601 date or date-time (UTC unless an offset is given): pledges changed at or "
            "after it — edits, review decisions and approved progress updates."
        ),
    )

    class Meta:
        model = Pledge
        form = ApiFilterForm
        fields: list[str] = []

    # LeanFilterSet.is_valid: what a request with only these parameters validates is reused.
    # Not `entity` (resolved among the entities the caller may see), `msp` nor `search`.
    reuse_params = frozenset(
        {
            "compact",
            "objective",
            "objective_id",
            "forum",
            "reaffirmed",
            "entity_type",
            "implementation_status",
            "review_state",
            "region",
            "country",
            "thematic_area",
            "support_type",
            "support_platform",
            "updated_since",
        }
    )

    @property
    def form(self) -> Any:
        """The filter form, resolving `entity` among the entities the caller may see: an
        unverified entity's id answers like an unknown one, so the filter does not confirm that
        it exists. Set on the form instance: LeanFilterSet builds the form class once for every
        caller, so a queryset depending on the request cannot live on the filter."""
        form = super().form
        if isinstance(form, ValidatedValues):  # reused values: `entity` is never among them
            return form
        user = getattr(self.request, "user", None)
        model_choice_field(form, "entity").queryset = Entity.objects.visible_to(user)
        return form

    def filter_review_state(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        return queryset.filter(review_state__in=value)

    def filter_support_platform(
        self, queryset: QuerySet[Pledge], name: str, value: Any
    ) -> QuerySet:
        return queryset.filter(support_platform__in=value)

    def filter_queryset(self, queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
        # Unlike the browser, no ordering here: the API orders by `ordering` (OrderingFilter)
        # and its cursor pagination needs that order, not a relevance rank.
        return self.filter_excluding(queryset)


# The browser's own text and sort parameters are replaced by `search` and `ordering`.
for _name in ("q", "sort"):
    del PledgeApiFilter.base_filters[_name]

# Filters that select pledges, also offered on the lists of updates and entities.
PLEDGE_FILTERS = (
    "search",
    "compact",
    "objective",
    "objective_id",
    "forum",
    "entity",
    "entity_type",
    "implementation_status",
    "country",
    "region",
    "support_platform",
    "thematic_area",
    "support_type",
)


class PledgesThrough(LeanFilterSet, django_filters.FilterSet):  # type: ignore[misc]  # as PledgeApiFilter
    """A FilterSet of another resource that also selects its rows through pledges, with the
    pledge filters named in `pledge_filters`: same names, same meaning, same validation."""

    pledge_filters: tuple[str, ...] = ()
    # Rows are kept whose `link` is in the `pledge_column` of the pledges selected.
    link = "pledge_id"
    pledge_column = "pk"

    @classmethod
    def with_pledge_filters(cls) -> None:
        """Copy the named pledge filters onto this FilterSet (call once, after the class)."""
        for name in cls.pledge_filters:
            clone = copy.deepcopy(PledgeApiFilter.base_filters[name])
            # Never applied one by one: `filter_queryset` applies them together, to pledges.
            clone.method = _applied_through_pledges
            cls.base_filters[name] = clone

    def pledges(self) -> QuerySet[Pledge] | None:
        """The pledges the caller may see that the pledge filters select; None if unused."""
        chosen = {
            name: value
            for name, value in self.form.cleaned_data.items()
            if name in self.pledge_filters and not _is_empty(value)
        }
        if not chosen:
            return None
        user = getattr(self.request, "user", None)
        pledges = Pledge.objects.visible_to(user)
        inner = PledgeApiFilter(queryset=pledges, request=self.request)
        for name, value in chosen.items():
            pledges = inner.filters[name].filter(pledges, value)
        return pledges

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        for name, value in self.form.cleaned_data.items():
            # `_is_empty`: an unused model multiple-choice filter cleans to `none()`, which
            # django-filter would hand to the filter's method and so empty the list.
            if name not in self.pledge_filters and not _is_empty(value):
                queryset = self.filters[name].filter(queryset, value)
        pledges = self.pledges()
        if pledges is None:
            return queryset
        column = pledges.order_by().values(self.pledge_column)
        return queryset.filter(**{f"{self.link}__in": column})


def _applied_through_pledges(queryset: QuerySet, name: str, value: Any) -> QuerySet:
    return queryset


# --------------------------------------------------------------------------------------------
# Progress updates
# --------------------------------------------------------------------------------------------


class PledgeUpdateFilter(PledgesThrough):
    """Progress updates: by their own fields, and through their pledge by every pledge filter
    (`compact`, `objective`, `country`…, meaning what they mean on /pledges/)."""

    pledge_filters = PLEDGE_FILTERS

    pledge = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Pledge"),
        queryset=Pledge.objects.all(),
        to_field_name="reference",
        method="filter_pledge",
        widget=RepeatableTextInput,
        help_text=gettext_lazy("A pledge's reference, e.g. GRF23-00042."),
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Reported status"),
        choices=ImplementationStatus.choices,
        help_text=gettext_lazy("The implementation status this update reports."),
    )
    review_state = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Review state"),
        choices=UpdateReviewState.choices,
        help_text=gettext_lazy(
            "pending, approved or returned. Only approved updates are public; members also see "
            "their entity's others, the secretariat all."
        ),
    )
    reported_since = django_filters.DateFilter(
        label=gettext_lazy("Reported since"),
        field_name="reported_on",
        lookup_expr="gte",
        help_text=gettext_lazy("Updates reported on or after this date (YYYY-MM-DD)."),
    )
    updated_since = IsoDateTimeFilter(
        label=gettext_lazy("Updated since"),
        field_name="updated_at",
        lookup_expr="gte",
        help_text=gettext_lazy(
            "ISO 8601 date or date-time: updates created or reviewed at or after it."
        ),
    )

    class Meta:
        model = PledgeUpdate
        form = ApiFilterForm
        fields: list[str] = []

    def filter_pledge(self, queryset: QuerySet[PledgeUpdate], name: str, value: Any) -> QuerySet:
        return queryset.filter(pledge__in=value)


PledgeUpdateFilter.with_pledge_filters()


# --------------------------------------------------------------------------------------------
# Entities
# --------------------------------------------------------------------------------------------


class EntityFilter(PledgesThrough):
    """Entities: by their own fields, and by the pledges they submitted (`compact`, `forum`,
    `objective` … select entities that submitted at least one pledge you can see matching)."""

    pledge_filters = ("compact", "objective", "objective_id", "forum", "thematic_area")
    link = "pk"
    pledge_column = "entity_id"

    search = django_filters.CharFilter(
        label=gettext_lazy("Search"),
        method="filter_search",
        max_length=200,
        help_text=gettext_lazy("Part of the entity's name, or its acronym."),
    )
    entity_type = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Entity type"),
        queryset=EntityType.objects.all(),
        to_field_name="code",
        method="filter_entity_type",
        help_text=gettext_lazy("Entity type code, e.g. state, ngo."),
    )
    country = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Country"),
        queryset=Country.objects.all(),
        field_name="country",
        help_text=gettext_lazy(
            "ISO 3166 code of the State, or of the organisation's headquarters."
        ),
    )
    region = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Region"),
        choices=Region.choices,
        field_name="country__region",
        help_text=gettext_lazy("UN M49 code of the region of the entity's country, e.g. 002."),
    )
    # A choice rather than a BooleanFilter, which reads any other word as "not given".
    is_verified = django_filters.ChoiceFilter(
        label=gettext_lazy("Verified"),
        choices=[("true", "true"), ("false", "false")],
        method="filter_is_verified",
        help_text=gettext_lazy(
            "Verified by the secretariat. Only members (their own entities) and the secretariat "
            "see unverified entities."
        ),
    )
    updated_since = IsoDateTimeFilter(
        label=gettext_lazy("Updated since"),
        field_name="updated_at",
        lookup_expr="gte",
        help_text=gettext_lazy("ISO 8601 date or date-time: entities changed at or after it."),
    )

    class Meta:
        model = Entity
        form = ApiFilterForm
        fields: list[str] = []

    def filter_entity_type(self, queryset: QuerySet[Entity], name: str, value: Any) -> QuerySet:
        return queryset.filter(entity_type__in=value)

    def filter_is_verified(self, queryset: QuerySet[Entity], name: str, value: str) -> QuerySet:
        return queryset.filter(is_verified=value == "true")

    def filter_search(self, queryset: QuerySet[Entity], name: str, value: str) -> QuerySet:
        words = value.split()
        for word in words:
            queryset = queryset.filter(Q(name__icontains=word) | Q(acronym__iexact=word))
        return queryset


EntityFilter.with_pledge_filters()
