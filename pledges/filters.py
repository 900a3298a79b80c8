"""What each pledge filter means, defined once for the public browser, the REST API and exports.

Every field is explicit (never `'__all__'`, never raw ORM lookups from the query string), so
that a field added to the model is never filterable by accident. Values are the stable codes
people see in URLs — `compact=GCM`, `forum=GRF23`, `objective=GCM-23`, `country=KE`,
`region=002` — so that a filtered URL can be shared and stays readable. Several values of one
filter are ORed, different filters are ANDed.

Filters over many-to-many relations select `pk IN (subquery on the link table)` instead of
joining, so that a pledge matching two chosen values is returned once without a costly DISTINCT.
"""

import re
from collections.abc import Iterable
from typing import Any

import django_filters
import django_filters.constants
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact, Objective, ThematicArea
from core.models import Country, Region
from forums.models import Forum

from . import search
from .models import (
    NO_FORUM,
    Entity,
    EntityType,
    ImplementationStatus,
    Pledge,
    PledgeParticipant,
    PledgeTarget,
    SupportType,
    at_forum_q,
)

# `implementation_status=none`: pledges without an approved progress update yet (stored as "").
NO_UPDATE = "none"
IMPLEMENTATION_CHOICES = [*ImplementationStatus.choices, (NO_UPDATE, _("No update yet"))]

# `forum=none` (NO_FORUM): pledges announced outside any forum (continuous pledging).
NO_FORUM_LABEL = _("Not at a forum (between forums)")

SORT_RELEVANCE = "relevance"
SORT_CHOICES = [
    (SORT_RELEVANCE, _("Best match")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("title", _("Title (A–Z)")),
    ("reference", _("Reference")),
]
# Newest = most recently published; the id breaks ties so that pages never overlap.
ORDERINGS: dict[str, list[Any]] = {
    "newest": [F("published_at").desc(nulls_last=True), "-id"],
    "oldest": [F("published_at").asc(nulls_last=True), "id"],
    "title": ["title", "id"],
    "reference": ["reference"],
}
OBJECTIVE_TOKEN = re.compile(r"^(?P<compact>[A-Z]{2,10})-(?P<number>[0-9]{1,3})$")


def objective_token(objective: Objective, compact_code: str | None = None) -> str:
    """The URL value of an objective, e.g. `GCM-23`."""
    return f"{compact_code or objective.compact.code}-{objective.number}"


class ObjectiveMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Objectives given as `GCM-23` (compact and number, as people cite them) or as ids
    (convenient for API clients); anything else is reported as an invalid choice."""

    def _check_values(self, value: Iterable[str]) -> list[Objective]:
        condition = Q(pk__in=[])
        wanted: list[tuple[str, Any]] = []
        for raw in value:
            token = str(raw).strip().upper()
            match = OBJECTIVE_TOKEN.match(token)
            if match:
                key: Any = (match["compact"], int(match["number"]))
                condition |= Q(compact__code=key[0], number=key[1])
            elif token.isdigit() and len(token) <= 18:
                key = int(token)
                condition |= Q(pk=key)
            else:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": raw},
                )
            wanted.append((str(raw), key))
        found = list(self.queryset.filter(condition).select_related("compact"))  # type: ignore[union-attr]  # ObjectiveFilter gives one
        known = {o.pk for o in found} | {(o.compact.code, o.number) for o in found}
        for raw, key in wanted:
            if key not in known:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": raw},
                )
        # The rows already fetched (with their compact), so that labels and URL values of the
        # chosen objectives cost no further query.
        return found


class ObjectiveFilter(django_filters.ModelMultipleChoiceFilter):
    # Django's field, not django-filter's subclass, whose only addition is a null choice.
    field_class = ObjectiveMultipleChoiceField  # type: ignore[assignment]  # as said above


def _pledges_linked(through: Any, column: str, values: Any) -> Q:
    """`pk IN (pledges linked to any of values)` through an M2M link table."""
    return Q(pk__in=through.objects.filter(**{f"{column}__in": values}).values("pledge_id"))


# The matching app's codes (`matching.models.Side`, `MatchState`), which it keeps stable.
SEEKS, OFFERS, ACCEPTED = "seeks", "offers", "accepted"


def _stating(side: str) -> QuerySet:
    """Ids of pledges that state support on `side` (the matching app's `support_positions`)."""
    return Pledge.objects.filter(support_positions__side=side).values("pk")


def _with_or_without(queryset: QuerySet, ids: QuerySet, value: bool) -> QuerySet:
    return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


def msp_memberships() -> Any:
    """The model of pledges' multistakeholder memberships, reached through the reverse relation
    `Pledge.msp_memberships` by name: the partnerships app sits above this one, so pledges
    never imports it."""
    return Pledge._meta.get_field("msp_memberships").related_model


def msp_model() -> Any:
    """The multistakeholder pledges (through the memberships' `msp` field, as above)."""
    return msp_memberships()._meta.get_field("msp").related_model


def _msps(request: Any) -> QuerySet:
    return msp_model().objects.all()


def _visible_entities(request: Any) -> QuerySet:
    """The entities whose pledges may be asked for: those the caller may see, so that an
    unverified entity's id answers like an unknown one (the filter does not confirm it exists)."""
    return Entity.objects.visible_to(getattr(request, "user", None))


def _is_empty(value: Any) -> bool:
    """No value given. A model multiple-choice field cleans "nothing" to `queryset.none()`,
    which django-filter would pass on to the method and so filter everything out."""
    if isinstance(value, QuerySet):
        return value.query.is_empty()
    return value in django_filters.constants.EMPTY_VALUES


class PledgeFilter(django_filters.FilterSet):
    """Filters and sort order of pledge lists. Facet counts (selectors.pledge_facets) apply all
    filters but one through `filter_excluding`, so each facet counts what ticking it would add."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=200,
        help_text=_("Words in the reference, title, description or entity name."),
    )
    compact = django_filters.ModelMultipleChoiceFilter(
        label=_("Compact"),
        queryset=Compact.objects.all(),
        to_field_name="code",
        method="filter_compact",
    )
    objective = ObjectiveFilter(
        label=_("Objective"),
        queryset=Objective.objects.all(),
        method="filter_objective",
    )
    forum = django_filters.ModelMultipleChoiceFilter(
        label=_("Forum"),
        queryset=Forum.objects.all(),
        to_field_name="code",
        method="filter_forum",
        null_value=NO_FORUM,
        null_label=NO_FORUM_LABEL,
        help_text=_(
            "Forum codes where the pledge was announced; “none” for pledges announced between "
            "forums."
        ),
    )
    reaffirmed = django_filters.BooleanFilter(
        label=_("Include pledges reaffirmed at the chosen forums"),
        method="keep_for_forum",
        help_text=_(
            "true: the forum filter also matches pledges reaffirmed at the chosen forums, "
            "not only those first announced there."
        ),
    )
    entity = django_filters.ModelMultipleChoiceFilter(
        label=_("Entity"),
        queryset=_visible_entities,  # type: ignore[arg-type]  # django-filter calls it with the request
        to_field_name="public_id",
        method="filter_entity",
        help_text=_(
            "An entity's id: the pledges it stands behind, as submitter or as a co-pledger that "
            "accepted, once verified (as on its public page)."
        ),
    )
    entity_type = django_filters.ModelMultipleChoiceFilter(
        label=_("Entity type"),
        queryset=EntityType.objects.all(),
        to_field_name="code",
        method="filter_entity_type",
    )
    implementation_status = django_filters.MultipleChoiceFilter(
        label=_("Implementation status"),
        choices=IMPLEMENTATION_CHOICES,
        method="filter_implementation_status",
    )
    region = django_filters.MultipleChoiceFilter(
        label=_("Region (beneficiary)"),
        choices=Region.choices,
        method="filter_region",
    )
    country = django_filters.ModelMultipleChoiceFilter(
        label=_("Country (beneficiary)"),
        queryset=Country.objects.all(),
        method="filter_country",
    )
    thematic_area = django_filters.ModelMultipleChoiceFilter(
        label=_("Thematic area"),
        queryset=ThematicArea.objects.all(),
        to_field_name="slug",
        method="filter_thematic_area",
    )
    msp = django_filters.ModelMultipleChoiceFilter(
        label=_("Multistakeholder pledge"),
        queryset=_msps,  # type: ignore[arg-type]  # django-filter calls it with the request
        to_field_name="slug",
        method="filter_msp",
        help_text=_("Pledges accepted as members of these multistakeholder pledges (codes)."),
    )
    support_type = django_filters.ModelMultipleChoiceFilter(
        label=_("Type of support"),
        queryset=SupportType.objects.all(),
        to_field_name="code",
        method="filter_support_type",
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        help_text=_(
            "true: published pledges with no approved progress update in the last two reporting "
            "cycles (neither fulfilled nor discontinued); false: all others."
        ),
    )
    goal = django_filters.NumberFilter(
        label=_("Collective goal"),
        method="filter_goal",
        min_value=1,
        help_text=_("Pledges with a target that counts towards this collective goal (its id)."),
    )
    # What pledges seek and offer, and their matches, live in the matching app, which depends on
    # this one: they are read through its relation names (strings), never imported.
    seeking_support = django_filters.BooleanFilter(
        label=_("Seeking support"),
        method="filter_seeking_support",
        help_text=_("true: pledges that say what support they seek; false: all others."),
    )
    offering_support = django_filters.BooleanFilter(
        label=_("Offering support"),
        method="filter_offering_support",
        help_text=_("true: pledges that say what support they offer; false: all others."),
    )
    matched = django_filters.BooleanFilter(
        label=_("Matched"),
        method="filter_matched",
        help_text=_(
            "true: pledges with an accepted match with another published pledge; false: all others."
        ),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        empty_label=None,
        # Ordering is applied after every filter, in `filter_queryset`, because the default
        # depends on whether there is a search.
        method="keep_order_for_later",
    )

    class Meta:
        model = Pledge
        fields: list[str] = []  # every filter is declared above, explicitly

    # --- filters -------------------------------------------------------------------------

    def filter_text(self, queryset: QuerySet[Pledge], name: str, value: str) -> QuerySet[Pledge]:
        # The facets filter ten querysets by the same text: look the entities up once.
        if getattr(self, "_entity_search", (None,))[0] != value:
            self._entity_search = (value, search.matching_entity_ids(value))
        return search.filter_by_text(queryset, value, entity_ids=self._entity_search[1])

    def filter_compact(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        return queryset.filter(compact__in=value)

    def filter_objective(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        return queryset.filter(_pledges_linked(Pledge.objectives.through, "objective", value))

    def filter_forum(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        forums = [v for v in value if v != NO_FORUM]
        between = Q(forum__isnull=True) if NO_FORUM in value else Q(pk__in=[])
        if not forums:
            return queryset.filter(between)
        # `reaffirmed=true`: also the pledges reaffirmed at the chosen forums.
        # (A filter set that borrows this filter without `reaffirmed` has no such value.)
        widened = bool(getattr(self.form, "cleaned_data", {}).get("reaffirmed"))
        return queryset.filter(between | at_forum_q(forums, reaffirmed=widened))

    def keep_for_forum(self, queryset: QuerySet[Pledge], name: str, value: bool) -> QuerySet:
        return queryset  # read by filter_forum

    def filter_entity(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        joined = PledgeParticipant.objects.public().filter(entity__in=value).values("pledge_id")
        return queryset.filter(Q(entity__in=value) | Q(pk__in=joined))

    def filter_entity_type(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        return queryset.filter(entity__entity_type__in=value)

    def filter_implementation_status(
        self, queryset: QuerySet[Pledge], name: str, value: list[str]
    ) -> QuerySet[Pledge]:
        stored = ["" if v == NO_UPDATE else v for v in value]
        return queryset.filter(implementation_status__in=stored)

    def filter_region(self, queryset: QuerySet[Pledge], name: str, value: list[str]) -> QuerySet:
        through = Pledge.beneficiary_countries.through
        return queryset.filter(
            pk__in=through.objects.filter(country__region__in=value).values("pledge_id")
        )

    def filter_country(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        return queryset.filter(
            _pledges_linked(Pledge.beneficiary_countries.through, "country", value)
        )

    def filter_thematic_area(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        return queryset.filter(
            _pledges_linked(Pledge.thematic_areas.through, "thematicarea", value)
        )

    def filter_msp(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        accepted = msp_memberships().objects.filter(state="accepted", msp__in=value)
        return queryset.filter(pk__in=accepted.values("pledge_id"))

    def filter_support_type(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        return queryset.filter(_pledges_linked(Pledge.support_types.through, "supporttype", value))

    def filter_overdue(self, queryset: QuerySet[Pledge], name: str, value: bool) -> QuerySet:
        late = Pledge.objects.overdue(on=timezone.localdate()).values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)

    def filter_goal(self, queryset: QuerySet[Pledge], name: str, value: Any) -> QuerySet:
        # The goals app (above this one) stores which targets count towards a goal; its
        # contributions are reached through their reverse name, so pledges imports nothing.
        contribution = PledgeTarget._meta.get_field("goal_contributions").related_model
        # A multistakeholder pledge's goal counts only the pledges it accepted as members (as
        # its computed progress does); a forum's goal has no `msp`.
        accepted = Pledge.objects.filter(
            pk=OuterRef("target__pledge_id"),
            msp_memberships__msp_id=OuterRef("goal__msp_id"),
            msp_memberships__state="accepted",
        )
        behind = contribution._default_manager.filter(
            Q(goal__msp__isnull=True) | Exists(accepted), goal_id=int(value)
        )
        return queryset.filter(pk__in=behind.values("target__pledge_id"))

    def filter_seeking_support(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return _with_or_without(queryset, _stating(SEEKS), value)

    def filter_offering_support(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return _with_or_without(queryset, _stating(OFFERS), value)

    def filter_matched(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        # Only what the pledge pages show publicly: accepted, with a published other side.
        as_seeker = Pledge.objects.filter(
            matches_seeking__state=ACCEPTED, matches_seeking__offering__review_state="published"
        ).values("pk")
        as_offerer = Pledge.objects.filter(
            matches_offering__state=ACCEPTED, matches_offering__seeking__review_state="published"
        ).values("pk")
        matched = Q(pk__in=as_seeker) | Q(pk__in=as_offerer)
        return queryset.filter(matched) if value else queryset.exclude(matched)

    def keep_order_for_later(self, queryset: QuerySet[Pledge], name: str, value: str) -> QuerySet:
        return queryset

    # --- composition ---------------------------------------------------------------------

    def filter_excluding(
        self, queryset: QuerySet[Pledge], exclude: str | None = None
    ) -> QuerySet[Pledge]:
        """`queryset` with every valid filter applied except `exclude`, unordered. Invalid
        values are left out (the form reports them) rather than emptying the list."""
        for name, value in self.cleaned_data.items():
            if name != exclude and not _is_empty(value):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
        return self.order(self.filter_excluding(queryset))

    @property
    def cleaned_data(self) -> dict[str, Any]:
        """The valid values (validating the form first); nothing when there is no data."""
        if not self.is_bound:
            return {}
        self.form.errors  # noqa: B018 -- runs validation once, which fills cleaned_data
        return self.form.cleaned_data

    @property
    def search_text(self) -> str:
        return search.normalise(self.cleaned_data.get("q") or "")

    @property
    def sort_key(self) -> str:
        """The sort in effect: the one asked for, else best match when searching, else newest.
        Best match without a search means nothing, so it falls back to newest."""
        asked = self.cleaned_data.get("sort")
        if asked == SORT_RELEVANCE or not asked:
            return SORT_RELEVANCE if self.search_text else "newest"
        return asked

    @property
    def sort_choice(self) -> str:
        """The option the sort menu shows chosen: the one asked for, else best match, so that
        pressing Search after typing words sorts by relevance (the menu no longer sends
        "newest" just because that was the order before the search)."""
        return self.cleaned_data.get("sort") or SORT_RELEVANCE

    def order(self, queryset: QuerySet[Pledge]) -> QuerySet[Pledge]:
        key = self.sort_key
        if key == SORT_RELEVANCE:
            return queryset.annotate(relevance=search.relevance(self.search_text)).order_by(
                "-relevance", *ORDERINGS["newest"]
            )
        return queryset.order_by(*ORDERINGS[key])

    def selected(self, name: str) -> list[Any]:
        """The valid values chosen for filter `name` (model instances or codes)."""
        return list(self.cleaned_data.get(name) or [])
