"""The form that counts a pledge target towards a goal; goals.services decides what is valid."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pledges.forms import ServiceErrorsForm
from pledges.models import Pledge, PledgeTarget

from .models import Goal


class TargetChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # of PledgeTarget
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.metric} — {obj.target_value:,.0f} ({obj.get_unit_display()})"


class GoalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # of Goal
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.forum.code}: {obj.text} ({obj.get_unit_display()})"


class ContributionForm(ServiceErrorsForm):
    target = TargetChoiceField(
        label=_("Target of this pledge"), queryset=PledgeTarget.objects.none()
    )
    goal = GoalChoiceField(label=_("Collective goal"), queryset=Goal.objects.none())

    def __init__(self, data: Any = None, *, pledge: Pledge) -> None:
        super().__init__(data)
        self.fields["target"].queryset = pledge.targets.order_by("id")  # type: ignore[attr-defined]  # a ModelChoiceField
        # Goals of the pledge's compact; the service refuses another unit with a message.
        self.fields["goal"].queryset = (  # type: ignore[attr-defined]  # a ModelChoiceField
            Goal.objects.filter(forum__compact_id=pledge.compact_id)
            .select_related("forum")
            .order_by("forum__year", "forum__code", "position", "id")
        )
