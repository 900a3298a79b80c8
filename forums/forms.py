"""The secretariat's reporting-round forms: they check the input's shape; `forums.services`
decides what a valid round is."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact

from .models import Forum, ReportingRound
from .services import RoundInput


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    compact = forms.ModelChoiceField(
        label=_("Compact"), queryset=Compact.objects.order_by("code"), empty_label=None
    )
    forum = forms.ModelChoiceField(
        label=_("Forum"),
        queryset=Forum.objects.select_related("compact").order_by("compact__code", "year"),
        required=False,
        empty_label=_("None: a review moment between forums"),
    )
    opens_on = forms.DateField(
        label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=_("Closes on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Updates can be submitted for the round until this day, included."),
    )

    def __init__(self, data: Any = None, *, round_: ReportingRound | None = None) -> None:
        initial = None
        if round_ is not None:
            initial = {
                "title": round_.title,
                "compact": round_.compact_id,
                "forum": round_.forum_id,
                "opens_on": round_.opens_on,
                "closes_on": round_.closes_on,
            }
        super().__init__(data, initial=initial)

    def to_input(self) -> RoundInput:
        data = self.cleaned_data
        return RoundInput(
            title=data["title"],
            compact=data["compact"],
            forum=data["forum"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
        )


class CloseRoundForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
