"""The dashboard's filters: which compact, which one slice (forum, region or entity type) and as
of which year. They live in the URL so that a filtered dashboard can be shared.

Snapshots are precomputed per ONE slice dimension (docs/progress.md, "Slices"): there is no row for
"forum GRF23 and region Africa", so asking for two at once is refused with a message on the fields
concerned rather than silently answered with something else.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact
from core.forms import choice_field
from core.models import Region
from forums.models import Forum, ReportingRound
from indicators.engine import GLOBAL
from indicators.models import SliceKind
from pledges.models import NO_FORUM, EntityType

DEFAULT_COMPACT = "GCR"
FIRST_YEAR = 2018  # both compacts were affirmed in December 2018
SLICE_FIELDS = (SliceKind.FORUM, SliceKind.REGION, SliceKind.ENTITY_TYPE)


@dataclass(frozen=True)
class Filters:
    """Valid filters of one dashboard request (also the cache key's content)."""

    compact: str
    slice_kind: str = SliceKind.OVERALL
    slice_key: str = ""
    year: int | None = None
    # A reporting round of the compact (its id): the round's figures are shown beside the
    # snapshots' (`pledges.selectors.round_progress`).
    round: int | None = None

    @property
    def as_of_limit(self) -> dt.date | None:
        """Snapshots dated after this are ignored: 31 December of the chosen year."""
        return dt.date(self.year, 12, 31) if self.year else None

    def params(self) -> dict[str, str]:
        """The query parameters that give these filters back (for CSV links and tabs)."""
        params = {"compact": self.compact}
        if self.slice_kind != SliceKind.OVERALL:
            params[self.slice_kind] = self.slice_key
        if self.year:
            params["year"] = str(self.year)
        if self.round:
            params["round"] = str(self.round)
        return params


@dataclass(frozen=True)
class Choices:
    """Reference data the filters offer, loaded once per request (three small queries)."""

    compacts: list[tuple[str, str]]
    forums: list[tuple[str, str, str]]  # (code, name, compact code)
    entity_types: list[tuple[str, str]]
    rounds: list[tuple[int, str, str]] = field(default_factory=list)  # (id, title, compact code)

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


def region_labels() -> dict[str, str]:
    return {**{code: str(label) for code, label in Region.choices}, GLOBAL: str(_("Global"))}


class DashboardFilterForm(forms.Form):
    """Filters of `/dashboard/`. Forum, region and entity type accept several values only so that
    a second value is reported as an error instead of being silently dropped."""

    data: QueryDict  # the query string given to __init__, never a plain dict

    compact = forms.ChoiceField(label=_("Compact"), required=False)
    forum = forms.MultipleChoiceField(label=_("Forum"), required=False)
    region = forms.MultipleChoiceField(label=_("Region (beneficiary)"), required=False)
    entity_type = forms.MultipleChoiceField(label=_("Entity type"), required=False)
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
        # Every forum is valid here; `clean` checks that it belongs to the chosen compact.
        choice_field(self, "forum").choices = [
            *((c, n) for c, n, _compact in choices.forums),
            (NO_FORUM, _("Between forums")),
        ]
        choice_field(self, "round").choices = [
            (pk, title) for pk, title, _compact in choices.rounds
        ]
        choice_field(self, "region").choices = list(region_labels().items())
        choice_field(self, "entity_type").choices = choices.entity_types
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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        compact = data.get("compact") or DEFAULT_COMPACT
        chosen = [name for name in SLICE_FIELDS if data.get(name)]
        for name in chosen:
            if len(data[name]) > 1:
                self.add_error(
                    name,
                    _(
                        "Choose one value at a time: figures are computed for one slice at a "
                        "time, not for combinations."
                    ),
                )
        if len(chosen) > 1:
            for name in chosen:
                if name in self.cleaned_data:
                    self.add_error(
                        name,
                        _(
                            "Choose only one of forum, region or entity type: figures are "
                            "computed for one slice at a time, not for combinations."
                        ),
                    )
        forums = self.cleaned_data.get(SliceKind.FORUM)
        if forums and not set(forums) <= {c for c, _n in self.forums_of(compact)}:
            self.add_error(SliceKind.FORUM, _("This forum is not a forum of the chosen compact."))
        round_ = self.cleaned_data.get("round")
        if round_ and str(round_) not in {pk for pk, _t in self.rounds_of(compact)}:
            self.add_error("round", _("This reporting round is not one of the chosen compact."))
        return self.cleaned_data

    def filters(self) -> Filters:
        """The valid filters; anything invalid is left out (the form shows why)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        slice_kind, slice_key = SliceKind.OVERALL, ""
        for name in SLICE_FIELDS:
            if data.get(name) and name not in self.errors:
                slice_kind, slice_key = name, data[name][0]
        year = data.get("year") if "year" not in self.errors else None
        round_ = data.get("round") if "round" not in self.errors else None
        return Filters(
            compact=self.compact_code,
            slice_kind=slice_kind,
            slice_key=slice_key,
            year=year,
            round=round_,
        )
