"""The dashboard's filters: which compact, any combination of forum, region, country, entity
type, objective, multistakeholder pledge and type of support, and as of which year. They live in
the URL so that a filtered dashboard can be shared.

Snapshots are precomputed per ONE slice dimension (docs/progress.md, "Slices"): one of forum,
region or entity type alone reads them, with their history. Any other choice is a combination,
computed on the fly from the per-pledge facts (`indicators.combined`), as of the latest figures
only: a year with a combination is refused with a message on the field.
"""

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact, Objective
from core.forms import choice_field
from core.models import Country, Region
from forums.models import Forum, ReportingRound
from indicators.engine import GLOBAL
from indicators.models import SliceKind
from partnerships.models import MultistakeholderPledge
from pledges.models import NO_FORUM, EntityType, SupportType

DEFAULT_COMPACT = "GCR"
FIRST_YEAR = 2018  # both compacts were affirmed in December 2018
SLICE_FIELDS = (SliceKind.FORUM, SliceKind.REGION, SliceKind.ENTITY_TYPE)
# Every filter of a combination, in the order the form shows them.
COMBINED_FIELDS = (
    "forum",
    "region",
    "country",
    "entity_type",
    "objective",
    "msp",
    "support_type",
)
COMBINED = "combined"  # the slice kind of a combination (no snapshot row has it)


@dataclass(frozen=True)
class Filters:
    """Valid filters of one dashboard request (also the cache key's content)."""

    compact: str
    forum: str = ""
    region: str = ""
    country: str = ""
    entity_type: str = ""
    objective: str = ""  # the objective's number in the compact
    msp: str = ""  # a multistakeholder pledge's slug
    support_type: str = ""
    year: int | None = None
    # A reporting round of the compact (its id): the round's figures are shown beside the
    # snapshots' (`pledges.selectors.round_progress`).
    round: int | None = None

    @property
    def chosen(self) -> dict[str, str]:
        """The filters set, by name (the compact, year and round aside)."""
        return {name: getattr(self, name) for name in COMBINED_FIELDS if getattr(self, name)}

    @property
    def combined(self) -> bool:
        """True when no snapshot row answers: two filters or more, or one without snapshots."""
        chosen = self.chosen
        return len(chosen) > 1 or bool(set(chosen) - set(SLICE_FIELDS))

    @property
    def slice_kind(self) -> str:
        if self.combined:
            return COMBINED
        return next(iter(self.chosen), SliceKind.OVERALL)

    @property
    def slice_key(self) -> str:
        return "" if self.combined else next(iter(self.chosen.values()), "")

    @property
    def as_of_limit(self) -> dt.date | None:
        """Snapshots dated after this are ignored: 31 December of the chosen year."""
        return dt.date(self.year, 12, 31) if self.year else None

    def params(self) -> dict[str, str]:
        """The query parameters that give these filters back (for CSV links and tabs)."""
        params = {"compact": self.compact, **self.chosen}
        if self.year:
            params["year"] = str(self.year)
        if self.round:
            params["round"] = str(self.round)
        return params


@dataclass(frozen=True)
class Choices:
    """Reference data the filters offer, loaded once per request (a few small queries)."""

    compacts: list[tuple[str, str]]
    forums: list[tuple[str, str, str]]  # (code, name, compact code)
    entity_types: list[tuple[str, str]]
    rounds: list[tuple[int, str, str]] = field(default_factory=list)  # (id, title, compact code)
    countries: list[tuple[str, str]] = field(default_factory=list)  # (ISO alpha-2, name)
    objectives: list[tuple[str, str, str]] = field(default_factory=list)  # (number, label, compact)
    msps: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, title, compact code)
    support_types: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls) -> "Choices":
        return cls(
            compacts=list(Compact.objects.order_by("code").values_list("code", "name")),
            forums=list(
                Forum.objects.order_by("-year", "code").values_list("code", "name", "compact__code")
            ),
            entity_types=list(EntityType.objects.values_list("code", "name")),
            rounds=list(
                ReportingRound.objects.order_by("-opens_on", "id").values_list(
                    "id", "title", "compact__code"
                )
            ),
            countries=list(Country.objects.order_by("name").values_list("code", "name")),
            objectives=[
                (str(number), f"{number}. {label}", compact)
                for number, label, compact in Objective.objects.order_by(
                    "compact__code", "number"
                ).values_list("number", "short_label", "compact__code")
            ],
            msps=list(
                MultistakeholderPledge.objects.order_by("title").values_list(
                    "slug", "title", "compact__code"
                )
            ),
            support_types=list(SupportType.objects.values_list("code", "name")),
        )

    def labels(self) -> dict[str, dict[str, str]]:
        """Slice kind → key → what people read."""
        return {
            SliceKind.FORUM: {
                **{code: name for code, name, _compact in self.forums},
                NO_FORUM: str(_("Between forums")),
            },
            SliceKind.REGION: region_labels(),
            SliceKind.ENTITY_TYPE: dict(self.entity_types),
        }

    def filter_labels(self) -> dict[str, dict[str, str]]:
        """Every filter → value → what people read (the names of a combination)."""
        return {
            **self.labels(),
            "country": dict(self.countries),
            "objective": {n: label for n, label, _c in self.objectives},
            "msp": {slug: title for slug, title, _c in self.msps},
            "support_type": dict(self.support_types),
        }


def region_labels() -> dict[str, str]:
    return {**{code: str(label) for code, label in Region.choices}, GLOBAL: str(_("Global"))}


class DashboardFilterForm(forms.Form):
    """Filters of `/dashboard/`. Each filter accepts several values only so that a second value
    is reported as an error instead of being silently dropped."""

    data: QueryDict  # the query string given to __init__, never a plain dict

    compact = forms.ChoiceField(label=_("Compact"), required=False)
    forum = forms.MultipleChoiceField(label=_("Forum"), required=False)
    region = forms.MultipleChoiceField(label=_("Region (beneficiary)"), required=False)
    country = forms.MultipleChoiceField(label=_("Country (beneficiary)"), required=False)
    entity_type = forms.MultipleChoiceField(label=_("Entity type"), required=False)
    objective = forms.MultipleChoiceField(label=_("Objective"), required=False)
    msp = forms.MultipleChoiceField(label=_("Multistakeholder pledge"), required=False)
    support_type = forms.MultipleChoiceField(label=_("Type of support"), required=False)
    year = forms.TypedChoiceField(
        label=_("As of the end of"), required=False, coerce=int, empty_value=None
    )
    round = forms.TypedChoiceField(
        label=_("Reporting round"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data: QueryDict, *, choices: Choices) -> None:
        # The plain form submits empty selects ("any"): they mean no filter, not a bad value.
        data = data.copy()
        for name in list(data):
            data.setlist(name, [v for v in data.getlist(name) if v.strip()])
        super().__init__(data)
        self.choices = choices
        choice_field(self, "compact").choices = choices.compacts
        # Every forum, objective and MSP is valid here; `clean` checks that it belongs to the
        # chosen compact.
        choice_field(self, "forum").choices = [
            *((c, n) for c, n, _compact in choices.forums),
            (NO_FORUM, _("Between forums")),
        ]
        choice_field(self, "round").choices = [
            (pk, title) for pk, title, _compact in choices.rounds
        ]
        choice_field(self, "region").choices = list(region_labels().items())
        choice_field(self, "country").choices = choices.countries
        choice_field(self, "entity_type").choices = choices.entity_types
        choice_field(self, "objective").choices = sorted(
            {(n, label) for n, label, _c in choices.objectives}
        )
        choice_field(self, "msp").choices = [(slug, t) for slug, t, _c in choices.msps]
        choice_field(self, "support_type").choices = choices.support_types
        this_year = timezone.localdate().year
        choice_field(self, "year").choices = [("", _("Latest"))] + [
            (y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)
        ]

    @property
    def compact_code(self) -> str:
        """The chosen compact when valid, else the default (the page still shows something)."""
        if self.is_valid() or "compact" not in self.errors:
            return self.cleaned_data.get("compact") or DEFAULT_COMPACT
        return DEFAULT_COMPACT

    def forums_of(self, compact: str) -> list[tuple[str, str]]:
        """The compact's forums, and "between forums" (pledges announced outside any)."""
        forums = [(c, n) for c, n, code in self.choices.forums if code == compact]
        return [*forums, (NO_FORUM, str(_("Between forums")))]

    def rounds_of(self, compact: str) -> list[tuple[str, str]]:
        return [(str(pk), t) for pk, t, code in self.choices.rounds if code == compact]

    def objectives_of(self, compact: str) -> list[tuple[str, str]]:
        return [(n, label) for n, label, code in self.choices.objectives if code == compact]

    def msps_of(self, compact: str) -> list[tuple[str, str]]:
        return [(slug, t) for slug, t, code in self.choices.msps if code == compact]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        compact = data.get("compact") or DEFAULT_COMPACT
        for name in COMBINED_FIELDS:
            if len(data.get(name) or []) > 1:
                self.add_error(
                    name,
                    _(
                        "Choose one value at a time: filters combine with each other, not "
                        "several values of one filter."
                    ),
                )
        of_compact = {
            SliceKind.FORUM: (
                self.forums_of(compact),
                _("This forum is not a forum of the chosen compact."),
            ),
            "objective": (
                self.objectives_of(compact),
                _("This objective is not an objective of the chosen compact."),
            ),
            "msp": (
                self.msps_of(compact),
                _("This multistakeholder pledge belongs to the other compact."),
            ),
        }
        for name, (allowed, message) in of_compact.items():
            values = self.cleaned_data.get(name)
            if values and not set(values) <= {value for value, _label in allowed}:
                self.add_error(name, message)
        round_ = self.cleaned_data.get("round")
        if round_ and str(round_) not in {pk for pk, _t in self.rounds_of(compact)}:
            self.add_error("round", _("This reporting round is not one of the chosen compact."))
        if self.cleaned_data.get("year") and self._chosen().combined:
            self.add_error(
                "year",
                _(
                    "Combinations of filters are computed from the latest figures only: choose "
                    "“Latest”, or a single forum, region or entity type to see an earlier year."
                ),
            )
        return self.cleaned_data

    def _chosen(self) -> Filters:
        data = getattr(self, "cleaned_data", {})
        chosen = {
            name: data[name][0]
            for name in COMBINED_FIELDS
            if data.get(name) and name not in self.errors
        }
        return Filters(compact=self.compact_code, **chosen)

    def filters(self) -> Filters:
        """The valid filters; anything invalid is left out (the form shows why)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        year = data.get("year") if "year" not in self.errors else None
        round_ = data.get("round") if "round" not in self.errors else None
        return replace(self._chosen(), year=year, round=round_)
