"""Forms of the MSP pages: they check the shape of the input; the services decide the rest
(`core.forms.apply_service_error` puts their messages beside the fields)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact, Objective, ThematicArea
from forums.models import Forum
from pledges.models import Pledge, TargetUnit
from pledges.workflow import REASON_MAX_LENGTH

from .models import (
    CURRENT_STATES,
    MspStatus,
    MultistakeholderMembership,
    MultistakeholderPledge,
)
from .selectors import verified_entity_named
from .services import MspInput, OutcomeInput, outcome_errors

MESSAGE_HELP = _("Optional; the other side reads it in the e-mail and the history.")


def _message_field(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Message"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=MESSAGE_HELP,
    )


class MspForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    slug = forms.SlugField(
        label=_("Code"),
        max_length=100,
        required=False,
        help_text=_("Used in its address; made from the title when left empty."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    compact = forms.ModelChoiceField(label=_("Compact"), queryset=Compact.objects.all())
    forum = forms.ModelChoiceField(
        label=_("Launched at"), queryset=Forum.objects.select_related("compact"), required=False
    )
    objectives = forms.ModelMultipleChoiceField(
        label=_("Objectives"),
        queryset=Objective.objects.select_related("compact").order_by("compact__code", "number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    thematic_area = forms.ModelChoiceField(
        label=_("Thematic area"), queryset=ThematicArea.objects.all(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=MspStatus.choices)
    source_url = forms.URLField(
        label=_("Source"), required=False, max_length=500, assume_scheme="https"
    )

    @classmethod
    def initial_of(cls, msp: MultistakeholderPledge) -> dict[str, Any]:
        return {
            "title": msp.title,
            "slug": msp.slug,
            "description": msp.description,
            "compact": msp.compact_id,
            "forum": msp.forum_id,
            "objectives": list(msp.objectives.values_list("pk", flat=True)),
            "thematic_area": msp.thematic_area_id,
            "status": msp.status,
            "source_url": msp.source_url,
        }

    def to_input(self) -> MspInput:
        data = self.cleaned_data
        return MspInput(
            title=data["title"],
            slug=data.get("slug") or "",
            description=data.get("description") or "",
            compact=data["compact"],
            forum=data.get("forum"),
            objectives=list(data.get("objectives") or []),
            thematic_area=data.get("thematic_area"),
            status=data["status"],
            source_url=data.get("source_url") or "",
        )


class LeadInviteForm(forms.Form):
    entity = forms.CharField(
        label=_("Entity"),
        max_length=255,
        help_text=_("The exact name or acronym of a verified entity."),
    )

    def clean_entity(self) -> Any:
        entity = verified_entity_named(self.cleaned_data["entity"])
        if entity is None:
            raise forms.ValidationError(_("No verified entity has this name or acronym."))
        return entity


class JoinForm(forms.Form):
    msp = forms.ModelChoiceField(
        label=_("Multistakeholder pledge"), queryset=MultistakeholderPledge.objects.none()
    )
    message = _message_field()

    def __init__(self, *args: Any, pledge: Pledge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = MultistakeholderMembership.objects.filter(
            pledge=pledge, state__in=CURRENT_STATES
        ).values("msp_id")
        choices: QuerySet[MultistakeholderPledge] = MultistakeholderPledge.objects.filter(
            compact_id=pledge.compact_id, status=MspStatus.ACTIVE
        ).exclude(pk__in=current)
        field = self.fields["msp"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 -- declared above
        field.queryset = choices


DECISIONS = [("accept", _("Accept")), ("decline", _("Decline"))]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    message = _message_field()


class MessageForm(forms.Form):
    message = _message_field()


class LinkPledgeForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference of the pledge"), max_length=20, help_text=_("e.g. GRF23-00042")
    )
    message = _message_field()

    def clean_reference(self) -> Pledge:
        reference = self.cleaned_data["reference"].strip().upper()
        pledge = Pledge.objects.filter(reference=reference).first()
        if pledge is None:
            raise forms.ValidationError(_("No pledge with that reference."))
        return pledge


class OutcomeForm(forms.Form):
    text = forms.CharField(label=_("Outcome"), max_length=500, required=False)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", "—"), *TargetUnit.choices], required=False
    )
    target_value = forms.DecimalField(
        label=_("Target"), max_digits=18, decimal_places=2, required=False, min_value=0
    )
    target_year = forms.IntegerField(
        label=_("Target year"), required=False, min_value=2000, max_value=2100
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or not (data.get("text") or "").strip():
            return data  # an empty row is left out
        for name, messages in outcome_errors(self.to_input()).items():
            for message in messages:
                self.add_error(name, message)
        return data

    def to_input(self) -> OutcomeInput:
        data = self.cleaned_data
        return OutcomeInput(
            text=data.get("text") or "",
            unit=data.get("unit") or "",
            target_value=data.get("target_value"),
            target_year=data.get("target_year"),
        )


OutcomeFormSet = forms.formset_factory(OutcomeForm, extra=3, max_num=20, absolute_max=40)
