"""The subscription form: the shape of the input. `webhooks.services` validates the rest
(the SSRF guard, filters that belong together)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact, Objective
from forums.models import Forum

from .models import EventType, WebhookSubscription
from .services import DESCRIPTION_MAX_LENGTH, SubscriptionInput


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("Receiver URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the tracker POSTs each event, e.g. https://example.org/hooks/cpt."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        label=_("Description (optional)"), max_length=DESCRIPTION_MAX_LENGTH, required=False
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    compact = forms.ModelChoiceField(
        label=_("Only this compact (optional)"),
        queryset=Compact.objects.order_by("code"),
        required=False,
        to_field_name="code",
    )
    objective = forms.ModelChoiceField(
        label=_("Only this objective (optional)"),
        queryset=Objective.objects.select_related("compact").order_by("compact__code", "number"),
        required=False,
    )
    forum = forms.ModelChoiceField(
        label=_("Only this forum (optional)"),
        queryset=Forum.objects.order_by("compact__code", "year", "code"),
        required=False,
        to_field_name="code",
    )

    @classmethod
    def initial_for(cls, subscription: WebhookSubscription) -> dict[str, Any]:
        return {
            "url": subscription.url,
            "description": subscription.description,
            "event_types": subscription.event_types,
            "compact": subscription.compact.code if subscription.compact else None,
            "objective": subscription.objective_id,
            "forum": subscription.forum.code if subscription.forum else None,
        }

    def to_input(self) -> SubscriptionInput:
        data = self.cleaned_data
        return SubscriptionInput(
            url=data["url"],
            event_types=data["event_types"],
            description=data["description"],
            compact=data["compact"],
            objective=data["objective"],
            forum=data["forum"],
        )
