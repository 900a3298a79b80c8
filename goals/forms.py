"""The form that counts a pledge target towards a goal; goals.services decides what is valid."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pledges.forms import ServiceErrorsForm
from pledges.models import Pledge, PledgeTarget, TargetUnit

from .models import Goal
from .services import GoalInput, goals_open_to


class TargetChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # of PledgeTarget
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.metric} — {obj.target_value:,.0f} ({obj.get_unit_display()})"


class GoalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # of Goal
    def label_from_instance(self, obj: Any) -> str:
        owner = obj.forum.code if obj.forum_id else obj.msp.title
        return f"{owner}: {obj.text} ({obj.get_unit_display()})"


class ContributionForm(ServiceErrorsForm):
    target = TargetChoiceField(
        label=_("Target of this pledge"), queryset=PledgeTarget.objects.none()
    )
    goal = GoalChoiceField(label=_("Collective goal"), queryset=Goal.objects.none())

    def __init__(self, data: Any = None, *, pledge: Pledge) -> None:
        super().__init__(data)
        self.fields["target"].queryset = pledge.targets.order_by("id")  # type: ignore[attr-defined]  # a ModelChoiceField
        # Goals of the pledge's compact's forums and of the MSPs that accepted it; the service
        # refuses another unit with a message.
        self.fields["goal"].queryset = goals_open_to(pledge)  # type: ignore[attr-defined]  # a ModelChoiceField


class MspGoalForm(ServiceErrorsForm):
    """One goal of a multistakeholder pledge; goals.services checks and saves it."""

    text = forms.CharField(label=_("Goal"), max_length=500)
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[(value, label) for value, label in TargetUnit.choices if value != "percent"],
    )
    target_value = forms.DecimalField(
        label=_("Target value"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    target_year = forms.IntegerField(
        label=_("Target year"), required=False, min_value=2000, max_value=2100
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        required=False,
        help_text=_("Where the goal was stated (document or URL)."),
    )

    def to_input(self) -> GoalInput:
        data = self.cleaned_data
        return GoalInput(
            text=data["text"],
            unit=data["unit"],
            target_value=data["target_value"],
            target_year=data.get("target_year"),
            source=data.get("source") or "",
        )
