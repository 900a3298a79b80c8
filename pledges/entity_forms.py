"""Forms of the entities area: register an entity, ask to join one, and the secretariat's
decisions. They check the shape of the input only; the entity services decide what is allowed
(duplicates, existing memberships, who may verify) and their errors are put back on these forms.
"""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import Country

from .models import Entity, EntityType
from .workflow import REASON_MAX_LENGTH


class EntityRegistrationForm(forms.Form):
    """A new pledging entity, described by the person who registers it."""

    name = forms.CharField(
        label=_("Name"),
        max_length=255,
        help_text=_("The full official name, e.g. “Norwegian Refugee Council”."),
    )
    acronym = forms.CharField(label=_("Acronym"), max_length=30, required=False)
    entity_type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=EntityType.objects.order_by("position", "name"),
        to_field_name="code",
        empty_label=_("Choose a type"),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        empty_label=_("None (international)"),
        help_text=_("The State itself, or the country of the organisation's headquarters."),
    )
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the entity does, so that the secretariat can verify it."),
    )

    def clean_name(self) -> str:
        # Whitespace-only names pass `required`, so strip before the service sees them.
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Enter the entity's name."), code="required")
        return name

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments `register_entity` takes, from the cleaned data."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "entity_type": data["entity_type"],
            "country": data["country"],
            "acronym": data["acronym"],
            "website": data["website"],
            "description": data["description"],
        }


class EntitySearchForm(forms.Form):
    """The search box of the join page (GET)."""

    q = forms.CharField(
        label=_("Search by name or acronym"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class EntityChoiceField(forms.ModelChoiceField):
    """Entities as radio options that say enough to tell namesakes apart."""

    def label_from_instance(self, obj: Any) -> str:
        # The view select_related()s type and country, so these labels cost no query each.
        parts = [obj.name]
        if obj.acronym:
            parts[0] += f" ({obj.acronym})"
        parts.append(str(obj.entity_type))
        if obj.country_id:
            parts.append(str(obj.country))
        parts.append(str(_("verified") if obj.is_verified else _("awaiting verification")))
        return " — ".join(parts)


class JoinEntityForm(forms.Form):
    """Ask to act for an existing entity. `entity` is its public id."""

    entity = EntityChoiceField(
        label=_("Choose the entity"),
        queryset=Entity.objects.none(),
        to_field_name="public_id",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the entities listed.")},
    )

    def __init__(self, *args: Any, user: Any, choices: Any = None, **kwargs: Any) -> None:
        """`choices` is the (possibly sliced) queryset to display; validation looks the chosen
        id up among all the entities `user` may see (a sliced queryset cannot be filtered), so
        the id of somebody else's unverified entity answers like an unknown id."""
        super().__init__(*args, **kwargs)
        field = cast(EntityChoiceField, self.fields["entity"])
        field.queryset = Entity.objects.visible_to(user).select_related("entity_type", "country")
        if choices is not None:
            field.choices = [(e.public_id, field.label_from_instance(e)) for e in choices]


class EntityQueueFilter(forms.Form):
    """The search box and the order of the secretariat's entity queue (GET, kept in the URL)."""

    OLDEST = "oldest"
    NEWEST = "newest"

    q = forms.CharField(
        label=_("Search by name or acronym"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    order = forms.ChoiceField(
        label=_("Order"),
        choices=[(OLDEST, _("Oldest first")), (NEWEST, _("Newest first"))],
        required=False,
    )

    def query(self) -> str:
        return " ".join(self.cleaned_data["q"].split()) if self.is_valid() else ""

    def newest_first(self) -> bool:
        return self.is_valid() and self.cleaned_data["order"] == self.NEWEST


class EntityDecision(forms.Form):
    """One decision of the secretariat's queue: verify or decline an entity, approve or decline
    a request to join one."""

    VERIFY = "verify"
    DECLINE_ENTITY = "decline_entity"
    APPROVE = "approve"
    DECLINE = "decline"

    action = forms.ChoiceField(
        choices=[
            (VERIFY, _("Verify")),
            (DECLINE_ENTITY, _("Decline")),
            (APPROVE, _("Approve")),
            (DECLINE, _("Decline")),
        ]
    )
    entity = forms.UUIDField(required=False)
    membership = forms.IntegerField(required=False, min_value=1)
    # Checked by decline_entity (required, length), so that its message reaches the reviewer.
    reason = forms.CharField(required=False, strip=True)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        if action in {self.VERIFY, self.DECLINE_ENTITY} and not data.get("entity"):
            raise ValidationError(_("Say which entity to decide."))
        if action in {self.APPROVE, self.DECLINE} and not data.get("membership"):
            raise ValidationError(_("Say which request to decide."))
        return data


class EntityUnverifyForm(forms.Form):
    """Withdraw an entity's verification: the reason its members are sent and the audit keeps
    (checked again by `unverify_entity`)."""

    reason = forms.CharField(
        label=_("Reason (the entity's members will see it)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX_LENGTH,
        strip=True,
    )
