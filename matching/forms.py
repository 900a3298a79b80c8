"""Forms of the matching pages: they check the input's shape and resolve codes; the services
decide what is valid (their field messages land beside the inputs, `core.forms`)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compacts.models import ThematicArea
from core.models import Country, Currency
from pledges.forms import ServiceErrorsForm
from pledges.models import Pledge, SupportType

from .models import DESCRIPTION_MAX_LENGTH, Side, SupportPosition
from .services import MESSAGE_MAX_LENGTH, PositionInput


class PositionForm(ServiceErrorsForm):
    """One thing the pledge seeks or offers."""

    side = forms.ChoiceField(label=_("The pledge"), choices=Side.choices)
    support_type = forms.ModelChoiceField(
        label=_("Type of support"), queryset=SupportType.objects.all(), to_field_name="code"
    )
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    currency = forms.ModelChoiceField(
        label=_("Currency"), queryset=Currency.objects.all(), required=False
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"), queryset=Country.objects.all(), required=False
    )
    thematic_area = forms.ModelChoiceField(
        label=_("Thematic area"), queryset=ThematicArea.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("What exactly"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Suggestions compare these words with other pledges' needs and offers."),
    )

    def __init__(
        self, data: Any = None, *, pledge: Pledge, position: SupportPosition | None = None
    ) -> None:
        initial = None
        if position is not None:  # the form to change it
            initial = {
                "side": position.side,
                "support_type": position.support_type.code,
                "amount": position.amount,
                "currency": position.currency_id,
                "countries": [c.pk for c in position.countries.all()],
                "thematic_area": position.thematic_area_id,
                "description": position.description,
            }
        super().__init__(data, initial=initial, auto_id="position-%s")
        thematic = self.fields["thematic_area"]
        assert isinstance(thematic, forms.ModelChoiceField)  # noqa: S101 — declared above
        thematic.queryset = ThematicArea.objects.filter(compact_id=pledge.compact_id)

    def to_input(self) -> PositionInput:
        data = self.cleaned_data
        return PositionInput(
            side=data["side"],
            support_type=data["support_type"],
            amount=data["amount"],
            currency=data["currency"],
            countries=list(data["countries"]),
            thematic_area=data["thematic_area"],
            description=data["description"],
        )


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposeForm(MessageForm):
    """A match between two pledges named by reference."""

    seeking = forms.CharField(label=_("Seeking pledge (reference)"), max_length=20)
    offering = forms.CharField(label=_("Offering pledge (reference)"), max_length=20)

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data, auto_id="propose-%s")
        self.user = user

    def _pledge(self, name: str) -> Pledge:
        reference = self.cleaned_data[name].strip().upper()
        # Only pledges the user may see can be named, so a reference never reveals a draft.
        pledge = Pledge.objects.visible_to(self.user).filter(reference=reference).first()
        if pledge is None:
            raise forms.ValidationError(_("No pledge with that reference."), code="unknown")
        return pledge

    def clean_seeking(self) -> Pledge:
        return self._pledge("seeking")

    def clean_offering(self) -> Pledge:
        return self._pledge("offering")


class DecideForm(MessageForm):
    response = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
