from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, Kind


class PreferencesForm(forms.Form):
    """One choice of channel per kind of notification."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose e-mail, in the tracker only or off.")},
            )
