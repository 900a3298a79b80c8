"""Input shapes of the library's pages. The forms check that a request is well formed; what
a valid resource is and who may do what is decided by the services, whose ValidationError
messages the views copy back onto these forms."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compacts.models import GuidingPrinciple, Objective, ThematicArea
from core.models import Country, Region
from pledges.models import Entity, Pledge
from pledges.review_forms import DecisionForm

from .models import Resource, ResourceLanguage, ResourceType
from .services import ResourceInput
from .workflow import DECISIONS, RESOURCE_TRANSITIONS


class ResourceForm(forms.Form):
    """A resource's content, as the secretariat edits it."""

    title = forms.CharField(label=_("Title"), max_length=300)
    resource_type = forms.ChoiceField(label=_("Type"), choices=ResourceType.choices)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=300, required=False)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When it was published or held."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=ResourceLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The first one ticked is taken as the main language for search."),
    )
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_("Where the resource can be read. Give an address, a file or both."),
    )
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Office document, CSV, PNG or JPEG; at most 25 MB."),
    )
    remove_file = forms.BooleanField(label=_("Remove the stored file"), required=False)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Any region")), *Region.choices], required=False
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        queryset=Country.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    objectives = forms.ModelMultipleChoiceField(
        label=_("Objectives"),
        queryset=Objective.objects.select_related("compact").order_by("compact__code", "number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    principles = forms.ModelMultipleChoiceField(
        label=_("Guiding principles"),
        queryset=GuidingPrinciple.objects.select_related("compact"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    thematic_areas = forms.ModelMultipleChoiceField(
        label=_("Thematic areas"),
        queryset=ThematicArea.objects.select_related("compact"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    related_pledges = forms.CharField(
        label=_("Related pledges"),
        required=False,
        help_text=_("References of published pledges, separated by spaces or commas."),
    )

    def __init__(self, *args: Any, resource: Resource | None = None, **kwargs: Any) -> None:
        if resource is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": resource.title,
                "resource_type": resource.resource_type,
                "summary": resource.summary,
                "publisher": resource.publisher,
                "date": resource.date,
                "languages": resource.languages,
                "url": resource.url,
                "region": resource.region,
                "countries": resource.countries.all(),
                "objectives": resource.objectives.all(),
                "principles": resource.principles.all(),
                "thematic_areas": resource.thematic_areas.all(),
                "related_pledges": " ".join(p.reference for p in resource.pledges.all()),
            }
        super().__init__(*args, **kwargs)
        if resource is None or not resource.file:
            del self.fields["remove_file"]

    def clean_related_pledges(self) -> list[Pledge]:
        raw = self.cleaned_data.get("related_pledges") or ""
        references = [r.strip().upper() for r in raw.replace(",", " ").split() if r.strip()]
        found = {
            p.reference: p for p in Pledge.objects.published().filter(reference__in=references)
        }
        unknown = [r for r in references if r not in found]
        if unknown:
            raise forms.ValidationError(
                _("No published pledge has the reference %(references)s."),
                params={"references": ", ".join(unknown)},
            )
        return [found[r] for r in dict.fromkeys(references)]

    def to_input(self) -> ResourceInput:
        data = self.cleaned_data
        return ResourceInput(
            title=data["title"],
            url=data.get("url") or "",
            summary=data.get("summary") or "",
            resource_type=data.get("resource_type") or ResourceType.PRACTICE,
            publisher=data.get("publisher") or "",
            date=data.get("date"),
            languages=list(data.get("languages") or []),
            region=data.get("region") or "",
            countries=list(data.get("countries") or []),
            objectives=list(data.get("objectives") or []),
            principles=list(data.get("principles") or []),
            thematic_areas=list(data.get("thematic_areas") or []),
            pledges=list(data.get("related_pledges") or []),
            upload=data.get("upload"),
            remove_file=bool(data.get("remove_file")),
        )


class PracticeForm(ResourceForm):
    """A practice as a stakeholder submits it: always of type practice, for one of the
    entities the submitter acts for."""

    entity = forms.ModelChoiceField(label=_("Submitted for"), queryset=Entity.objects.none())

    def __init__(
        self, *args: Any, entities: Any = None, resource: Resource | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, resource=resource, **kwargs)
        del self.fields["resource_type"]
        if resource is not None or entities is None:
            del self.fields["entity"]
        else:
            entity_field = self.fields["entity"]
            assert isinstance(entity_field, forms.ModelChoiceField)  # noqa: S101 — declared above
            entity_field.queryset = entities
            self.only_entity = entities[0] if len(entities) == 1 else None
            if self.only_entity is not None:
                # Nothing to choose: the one entity the submitter acts for.
                entity_field.initial = self.only_entity
                entity_field.required = False
        self.fields["title"].label = _("Name of the practice")
        self.order_fields(["entity"])
        self.fields["summary"].label = _("Description of the practice")
        self.fields["summary"].required = True

    def clean_entity(self) -> Entity | None:
        return self.cleaned_data.get("entity") or getattr(self, "only_entity", None)


class ResourceDecisionForm(DecisionForm):
    """Publish, unpublish, request changes on or reject a resource."""

    actions = DECISIONS
    reason_help = _(
        "Required to request changes, to reject or to unpublish. The submitter will see it."
    )

    def label_of(self, name: str) -> Any:
        return RESOURCE_TRANSITIONS[name].label


class CriteriaForm(forms.Form):
    text = forms.CharField(
        label=_("Criteria for practices"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Shown above the practice submission form. Blank lines separate paragraphs."),
    )
