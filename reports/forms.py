"""The filters of a secretariat report, checked field by field.

Missing values fall back to the defaults (GCR, every forum, since the start of the previous
reporting cycle); a wrong value is an error on its field, never silently replaced.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact
from forums.models import Forum, ReportingRound
from pledges.filters import NO_FORUM_LABEL
from pledges.models import NO_FORUM

from .selectors import Scope, cycle_start

DEFAULT_COMPACT = "GCR"
# Reports cover the compacts' era: nothing was pledged before the 2016 New York Declaration.
EARLIEST_SINCE = dt.date(2016, 1, 1)


class _ForumChoices(ModelChoiceIterator):
    """The forums, after "All forums" and "Between forums" (pledges announced outside any
    forum, `forum=none` as in the pledge browser)."""

    def __iter__(self) -> Iterator[Any]:
        choices = super().__iter__()
        if self.field.empty_label is not None:
            yield next(choices)
        yield (NO_FORUM, NO_FORUM_LABEL)
        yield from choices

    def __len__(self) -> int:
        return super().__len__() + 1


class ForumOrNoneField(forms.ModelChoiceField):
    """A forum by its code, or `none`: between forums (cleaned to `NO_FORUM`)."""

    iterator = _ForumChoices

    def to_python(self, value: Any) -> Any:
        if value == NO_FORUM:
            return NO_FORUM
        return super().to_python(value)


class ScopeForm(forms.Form):
    """Compact and forum: which pledges a report or the overdue list covers."""

    compact = forms.ModelChoiceField(
        label=_("Compact"),
        queryset=Compact.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=None,
    )
    forum = ForumOrNoneField(
        label=_("Forum"),
        queryset=Forum.objects.select_related("compact").order_by("compact__code", "year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("All forums"),
        help_text=_(
            "A forum of the chosen compact, or the pledges announced between forums (no forum)."
        ),
    )

    round = forms.ModelChoiceField(
        label=_("Reporting round"),
        queryset=ReportingRound.objects.select_related("compact").order_by("-opens_on", "id"),
        required=False,
        empty_label=_("None: the two-cycle rule"),
        help_text=_(
            "A round of the chosen compact: overdue then means no approved update for the round."
        ),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data if data is not None else {}, **kwargs)

    def clean_compact(self) -> Compact | None:
        compact = self.cleaned_data.get("compact")
        if compact is None:
            compact = Compact.objects.filter(code=DEFAULT_COMPACT).first()
        if compact is None:
            raise forms.ValidationError(_("There is no compact to report on yet."))
        return compact

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        compact, forum = cleaned.get("compact"), cleaned.get("forum")
        if forum == NO_FORUM:
            forum = None
        if compact is not None and forum is not None and forum.compact_id != compact.pk:
            self.add_error(
                "forum",
                _("%(forum)s is a forum of the %(other)s, not of the %(compact)s.")
                % {"forum": forum.code, "other": forum.compact.code, "compact": compact.code},
            )
        round_ = cleaned.get("round")
        if compact is not None and round_ is not None and round_.compact_id != compact.pk:
            self.add_error("round", _("This reporting round is not one of the chosen compact."))
        return cleaned

    @property
    def scope(self) -> Scope:
        """The scope of a valid form."""
        forum = self.cleaned_data.get("forum")
        between = forum == NO_FORUM
        return Scope(
            compact=self.cleaned_data["compact"],
            forum=None if between else forum,
            round=self.cleaned_data.get("round"),
            between_forums=between,
        )

    @staticmethod
    def _forum_words(scope: Scope) -> str:
        if scope.between_forums:
            return str(NO_FORUM_LABEL)
        return str(scope.forum) if scope.forum else str(_("All forums"))

    def describe(self) -> list[tuple[str, str]]:
        """The filters in words, as (label, value) lines for the page and the cover sheet."""
        scope = self.scope
        return [
            (str(_("Compact")), str(scope.compact)),
            (str(_("Forum")), self._forum_words(scope)),
            *([(str(_("Reporting round")), str(scope.round))] if scope.round else []),
        ]


class ReportForm(ScopeForm):
    """The report's filters: scope plus the date from which news are counted."""

    since = forms.DateField(
        label=_("Since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("New pledges and updates from this date on (YYYY-MM-DD)."),
    )

    def __init__(self, data: Any = None, *, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["since"].widget.attrs["max"] = self.today.isoformat()

    @property
    def default_since(self) -> dt.date:
        """The start of the previous reporting cycle: the biannual report's period."""
        return cycle_start(self.today, cycles_back=1)

    def clean_since(self) -> dt.date:
        since = self.cleaned_data.get("since")
        if since is None:
            return self.default_since
        if since > self.today:
            raise forms.ValidationError(_("The date cannot be in the future."))
        if since < EARLIEST_SINCE:
            raise forms.ValidationError(
                _("The date cannot be before %(date)s.") % {"date": EARLIEST_SINCE.isoformat()}
            )
        return since

    def describe(self) -> list[tuple[str, str]]:
        return [
            *super().describe(),
            (str(_("Since")), self.cleaned_data["since"].isoformat()),
        ]
