"""Forms of the stakeholder workspace: the pledge editor, progress updates and the small forms of
the pledge page.

Forms only check the *shape* of the input (types, required fields, choices). What a valid pledge
or update is lives in the services (`pledges.services`); their ValidationError is mapped back onto
these forms, field by field, with `core.forms.apply_service_error`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.forms import apply_rules_in_clean, choice_field, model_choice_field
from core.models import Country, Currency
from forums.models import Forum, ReportingRound

from .models import (
    Entity,
    GeographyScope,
    ImplementationStatus,
    LinkKind,
    Membership,
    MembershipStatus,
    ParticipantRole,
    Pledge,
    PledgeTranslation,
    ReviewState,
    SupportType,
    TargetUnit,
)
from .services import (
    MAX_TARGETS,
    PledgeInput,
    TargetInput,
    UpdateInput,
    validate_pledge,
    validate_update,
)
from .services.pledges import ANNOUNCED_ON_NEEDED
from .workflow import EDITABLE_STATES

TARGETS_PREFIX = "targets"
DATE_WIDGET_FORMAT = "%Y-%m-%d"


def language_choices() -> list[tuple[str, str]]:
    """The site's languages, each named in the page's language and, if that differs, in its
    own ("French (français)"), so that the author finds theirs whatever page they are on."""
    choices = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        name, local = str(info["name_translated"]), str(info["name_local"])
        choices.append((code, name if name.lower() == local.lower() else f"{name} ({local})"))
    return choices


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT)


def _amount_input() -> forms.NumberInput:
    # The browser hint only; the service is the authority on negative amounts.
    return forms.NumberInput(attrs={"min": "0", "step": "0.01"})


# --------------------------------------------------------------------------------------------
# Error mapping and the error summary, shared by every workspace form
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryItem:
    """One line of the error summary at the top of a form; `href` jumps to the input."""

    message: str
    href: str = ""


class WorkspaceForm(forms.Form):
    """Base of the workspace forms: labels without a trailing colon (they also serve as
    fieldset legends, where a colon reads oddly)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ServiceErrorsForm(WorkspaceForm):
    """A form that lists every error for the summary, including those of its groups of inputs.

    Keys in `group_names` (e.g. "targets") belong to a group of inputs rendered as one fieldset
    with the id `<name>-group`; `core.forms.apply_service_error` puts a service's messages about
    such a key in `group_errors`.
    """

    group_names: tuple[str, ...] = ()

    @property
    def group_errors(self) -> dict[str, list[str]]:
        if not hasattr(self, "_group_errors"):
            self._group_errors: dict[str, list[str]] = {name: [] for name in self.group_names}
        return self._group_errors

    def is_valid(self) -> bool:
        # Errors on a group of inputs (put there by `clean()`) refuse the form too.
        valid = super().is_valid()
        return valid and not any(self.group_errors.values())

    def error_summary(self) -> list[SummaryItem]:
        """Every error of the form, in page order, each linking to its input."""
        items = [SummaryItem(str(message)) for message in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, ()):
                bound = self[name]
                items.append(SummaryItem(f"{bound.label}: {message}", f"#{bound.auto_id}"))
        for name, messages in self.group_errors.items():
            items.extend(SummaryItem(str(message), f"#{name}-group") for message in messages)
        return items


# --------------------------------------------------------------------------------------------
# Widgets that let workspace.js narrow the choices to the chosen compact
# --------------------------------------------------------------------------------------------


class CompactTaggedMixin:
    """Marks each option with `data-compact="GCR"` so that workspace.js can hide the options of
    the compact the pledge is not under. The page works without it: the server validates."""

    compact_of: dict[str, str]

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(  # type: ignore[misc]  # a mixin: the widget class it precedes has it
            name, value, label, selected, index, subindex=subindex, attrs=attrs
        )
        code = getattr(self, "compact_of", {}).get(str(value))
        if code:
            option["attrs"] = {**option["attrs"], "data-compact": code}
        return option


class CompactSelect(CompactTaggedMixin, forms.Select):
    pass


class CompactRadioSelect(CompactTaggedMixin, forms.RadioSelect):
    pass


class CompactCheckboxes(CompactTaggedMixin, forms.CheckboxSelectMultiple):
    pass


@dataclass
class OptionGroup:
    """The options of one compact within a checkbox field, rendered as one fieldset."""

    code: str
    name: str
    options: list[Any]


def _set_grouped_choices(
    field: forms.ModelChoiceField,
    items: Iterable[Model],
    compact_of: Any,
    label_of: Any = str,
    blank: bool = False,
    blank_label: Any = "---------",
) -> None:
    """Give `field` choices grouped by compact (one query: `items` is evaluated once here) and
    tag its widget's options with their compact's code."""
    groups: dict[str, tuple[str, list[tuple[Any, str]]]] = {}
    tags: dict[str, str] = {}
    for item in items:
        compact = compact_of(item)
        groups.setdefault(compact.code, (compact.name, []))[1].append((item.pk, label_of(item)))
        tags[str(item.pk)] = compact.code
    choices: list[Any] = [("", blank_label)] if blank else []
    choices.extend((name, options) for name, options in groups.values())
    field.choices = choices
    field.widget.compact_of = tags


# --------------------------------------------------------------------------------------------
# The pledge editor
# --------------------------------------------------------------------------------------------


def _confirm_field() -> forms.BooleanField:
    """The explicit confirmation that accepts content which looks wrong but is right (the
    services' plausibility rules say why they refuse it); shown once they have."""
    return forms.BooleanField(
        label=_("These figures and dates are right"),
        required=False,
        help_text=_("Tick only after checking what the messages above say looks wrong."),
    )


class TargetForm(WorkspaceForm):
    """One quantified target row of the pledge editor."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    metric = forms.CharField(
        label=_("Metric"),
        max_length=200,
        help_text=_("e.g. resettlement places, children enrolled"),
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        # A blank first choice keeps an untouched extra row unchanged, so it is skipped.
        choices=[("", "---------"), *TargetUnit.choices],
    )
    baseline = forms.DecimalField(
        label=_("Baseline"),
        required=False,
        max_digits=18,
        decimal_places=2,
        widget=_amount_input(),
    )
    target_value = forms.DecimalField(
        label=_("Target"), max_digits=18, decimal_places=2, widget=_amount_input()
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date_input())

    def to_input(self) -> TargetInput:
        data = self.cleaned_data
        return TargetInput(
            id=data.get("id"),
            metric=data["metric"],
            unit=data["unit"],
            target_value=data["target_value"],
            baseline=data.get("baseline"),
            due_date=data.get("due_date"),
        )


class BaseTargetFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this target")

    def to_inputs(self) -> list[TargetInput]:
        """The kept rows, in page order (blank extra rows and rows marked for removal are
        dropped), which is also the order in which the service gives new rows their ids."""
        return [
            form.to_input()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)  # type: ignore[attr-defined]  # private: not in the stubs
        ]


# The stubs type the factory's class as a plain BaseFormSet; it subclasses the one given.
TargetFormSet: type[BaseTargetFormSet] = forms.formset_factory(  # type: ignore[assignment]  # as said
    TargetForm, formset=BaseTargetFormSet, extra=1, can_delete=True, max_num=MAX_TARGETS
)


class PledgeForm(ServiceErrorsForm):
    """Every field of `PledgeInput`, plus the targets as an inline formset (`self.targets`).

    Creating: the entity is chosen among the user's active entities. Editing: the entity is
    shown but cannot change, and the pledge's `version` travels in a hidden field so that the
    service can refuse a save made on top of somebody else's.
    """

    group_names = ("targets",)
    checkbox_groups = ("objectives", "actions", "principles", "thematic_areas")

    entity = forms.ModelChoiceField(
        label=_("Submitting entity"), queryset=Entity.objects.none(), empty_label=None
    )
    compact = forms.ModelChoiceField(
        label=_("Compact"), queryset=Compact.objects.none(), widget=CompactRadioSelect
    )
    forum = forms.ModelChoiceField(
        label=_("Forum"),
        queryset=Forum.objects.all(),
        widget=CompactSelect,
        # Empty: "Not at a forum" (continuous pledging); the date below is then required.
        required=False,
        help_text=_(
            "Where the pledge was or will be announced. Choose “Not at a forum” for a pledge "
            "announced between forums, and give its date."
        ),
    )
    announced_on = forms.DateField(
        label=_("Announced on"),
        required=False,
        widget=_date_input(),
        help_text=_("Required for a pledge not announced at a forum; else the forum's date."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "data-charcount": ""}),
        help_text=_("GCM pledges need a description of 300 to 3,000 characters."),
    )
    language = forms.ChoiceField(
        label=_("Language of the title and description"),
        choices=(),  # named in the page's language, in __init__
        # Left out of a post (an older page, a script), the language stays as it is.
        required=False,
        help_text=_("Translations into other languages can be added once the pledge is saved."),
    )
    objectives = forms.ModelMultipleChoiceField(
        label=_("Objectives"),
        queryset=Objective.objects.all(),
        required=False,
        widget=CompactCheckboxes,
        help_text=_("At least one objective of the pledge's compact, before submission."),
    )
    actions = forms.ModelMultipleChoiceField(
        label=_("GCM actions"),
        queryset=ObjectiveAction.objects.all(),
        required=False,
        widget=CompactCheckboxes,
        help_text=_("Optional: the specific actions of the chosen objectives."),
    )
    principles = forms.ModelMultipleChoiceField(
        label=_("Guiding principles"),
        queryset=GuidingPrinciple.objects.all(),
        required=False,
        widget=CompactCheckboxes,
    )
    thematic_areas = forms.ModelMultipleChoiceField(
        label=_("Thematic areas"),
        queryset=ThematicArea.objects.all(),
        required=False,
        widget=CompactCheckboxes,
    )
    support_types = forms.ModelMultipleChoiceField(
        label=_("Types of support"),
        queryset=SupportType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    geography_scope = forms.ChoiceField(
        label=_("Geographic scope"),
        choices=GeographyScope.choices,
        initial=GeographyScope.NATIONAL,
        widget=forms.RadioSelect,
    )
    beneficiary_countries = forms.ModelMultipleChoiceField(
        label=_("Beneficiary countries"),
        queryset=Country.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Hold Ctrl (Cmd on a Mac) to choose several. Required unless the scope is global."
        ),
    )
    support_platform = forms.ModelChoiceField(
        label=_("Support platform"),
        queryset=SupportPlatform.objects.all(),
        required=False,
        widget=CompactSelect,
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=_date_input())
    end_date = forms.DateField(label=_("End date"), required=False, widget=_date_input())
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=18,
        decimal_places=2,
        widget=_amount_input(),
    )
    currency = forms.ModelChoiceField(
        label=_("Currency"), queryset=Currency.objects.all(), required=False
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm_implausible = _confirm_field()

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        user: Any,
        pledge: Pledge | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        self.pledge = pledge
        targets_initial: list[dict[str, Any]] = []
        if pledge is not None and data is None:
            content = PledgeInput.from_pledge(pledge)
            initial = {
                name: getattr(content, name)
                for name in self.declared_fields
                if hasattr(content, name)
            }
            initial["version"] = pledge.version
            targets_initial = [vars(t) for t in content.targets or ()]
        super().__init__(data, initial=initial)
        self.targets = TargetFormSet(data, initial=targets_initial, prefix=TARGETS_PREFIX)
        self._set_choices(user)
        choice_field(self, "language").choices = language_choices()
        if pledge is None:
            # A new pledge is most likely written in the language its author reads the site in.
            self.fields["language"].initial = translation.get_language()

    def _set_choices(self, user: Any) -> None:
        if self.pledge is not None:
            # The submitting entity of a pledge never changes (the service refuses it).
            model_choice_field(self, "entity").queryset = Entity.objects.filter(
                pk=self.pledge.entity_id
            )
            self.fields["entity"].disabled = True
            self.fields["entity"].initial = self.pledge.entity_id
            # Without it the service could not tell a stale save from a fresh one.
            self.fields["version"].required = True
        else:
            own = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE)
            model_choice_field(self, "entity").queryset = Entity.objects.filter(
                pk__in=own.values("entity_id")
            ).order_by("name")
        compacts = list(Compact.objects.order_by("code"))
        compact_field = model_choice_field(self, "compact")
        compact_field.queryset = Compact.objects.order_by("code")
        compact_field.choices = [(c.pk, c.name) for c in compacts]
        compact_field.widget.compact_of = {str(c.pk): c.code for c in compacts}
        _set_grouped_choices(
            model_choice_field(self, "forum"),
            Forum.objects.select_related("compact"),
            lambda f: f.compact,
            blank=True,
            # Continuous pledging: the announcement date is then required.
            blank_label=_("Not at a forum"),
        )
        _set_grouped_choices(
            model_choice_field(self, "objectives"),
            Objective.objects.select_related("compact").order_by("compact__code", "number"),
            lambda o: o.compact,
            lambda o: f"{o.number}. {o.title}",
        )
        _set_grouped_choices(
            model_choice_field(self, "actions"),
            ObjectiveAction.objects.select_related("objective__compact"),
            lambda a: a.objective.compact,
            lambda a: f"{a.objective.number}({a.letter}) {a.text}",
        )
        _set_grouped_choices(
            model_choice_field(self, "principles"),
            GuidingPrinciple.objects.select_related("compact"),
            lambda p: p.compact,
        )
        _set_grouped_choices(
            model_choice_field(self, "thematic_areas"),
            ThematicArea.objects.select_related("compact"),
            lambda t: t.compact,
        )
        _set_grouped_choices(
            model_choice_field(self, "support_platform"),
            SupportPlatform.objects.select_related("compact"),
            lambda p: p.compact,
            blank=True,
        )

    def option_groups(self) -> dict[str, list[OptionGroup]]:
        """The checkbox fields' options split by compact, for one fieldset per compact."""
        result: dict[str, list[OptionGroup]] = {}
        names = {code: name for code, name in self._compact_names()}
        for field_name in self.checkbox_groups:
            groups: dict[str, OptionGroup] = {}
            for option in self[field_name].subwidgets:
                code = option.data["attrs"].get("data-compact", "")
                if code not in groups:
                    groups[code] = OptionGroup(code, names.get(code, code), [])
                groups[code].options.append(option)
            result[field_name] = list(groups.values())
        return result

    def _compact_names(self) -> list[tuple[str, str]]:
        compact_field = choice_field(self, "compact")
        tags = compact_field.widget.compact_of
        pairs = compact_field.choices  # (pk, name), as _set_choices gave them
        return [(tags[str(pk)], name) for pk, name in pairs]  # type: ignore[union-attr,misc]  # as said

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Said here too, so that it shows with the other fields' errors (the service says it
        # again for the API).
        if "forum" in cleaned and cleaned["forum"] is None and not cleaned.get("announced_on"):
            if "announced_on" not in self.errors:
                self.add_error("announced_on", ANNOUNCED_ON_NEEDED)
        self._check_rules(cleaned)
        return cleaned

    def _check_rules(self, cleaned: dict[str, Any]) -> None:
        """The service's rules on whatever cleaned, so that errors across fields show with the
        fields' own (the service checks again when it saves). Most rules are about the chosen
        compact: without one there is nothing to check them against."""
        if cleaned.get("compact") is None:
            return
        self.targets.is_valid()
        targets = [
            form.to_input()
            for form in self.targets.forms
            if form.is_valid() and form.has_changed() and not self.targets._should_delete_form(form)  # type: ignore[attr-defined]  # private: not in the stubs
        ]
        content = PledgeInput(
            title=cleaned.get("title", ""),
            description=cleaned.get("description", ""),
            compact=cleaned["compact"],
            forum=cleaned.get("forum"),
            announced_on=cleaned.get("announced_on"),
            entity=cleaned.get("entity"),  # type: ignore[arg-type]  # no rule reads it
            language=cleaned.get("language") or None,
            objectives=list(cleaned.get("objectives") or ()),
            actions=list(cleaned.get("actions") or ()),
            principles=list(cleaned.get("principles") or ()),
            thematic_areas=list(cleaned.get("thematic_areas") or ()),
            support_types=list(cleaned.get("support_types") or ()),
            geography_scope=cleaned.get("geography_scope") or GeographyScope.NATIONAL,
            beneficiary_countries=list(cleaned.get("beneficiary_countries") or ()),
            support_platform=cleaned.get("support_platform"),
            contact_name=cleaned.get("contact_name", ""),
            contact_email=cleaned.get("contact_email", ""),
            start_date=cleaned.get("start_date"),
            end_date=cleaned.get("end_date"),
            amount=cleaned.get("amount"),
            currency=cleaned.get("currency"),
            targets=targets,
            confirm_implausible=bool(cleaned.get("confirm_implausible")),
        )
        # As strict as the service will be on saving (a pledge under review must stay complete).
        complete = self.pledge is not None and self.pledge.review_state not in EDITABLE_STATES
        try:
            validate_pledge(content, complete=complete)
        except ValidationError as error:
            apply_rules_in_clean(self, error)

    @property
    def asks_confirmation(self) -> bool:
        """Whether to show the confirmation box: a rule asked for it, or it is ticked."""
        return bool(self.errors.get("confirm_implausible") or self["confirm_implausible"].value())

    def is_valid(self) -> bool:
        # Evaluate both, so that errors in the targets show alongside the others.
        form_valid = super().is_valid()
        return self.targets.is_valid() and form_valid

    def to_input(self) -> PledgeInput:
        data = self.cleaned_data
        return PledgeInput(
            title=data["title"],
            description=data["description"],
            compact=data["compact"],
            forum=data["forum"],
            announced_on=data.get("announced_on"),
            entity=data["entity"],
            language=data["language"] or None,  # left out: unchanged
            objectives=list(data["objectives"]),
            actions=list(data["actions"]),
            principles=list(data["principles"]),
            thematic_areas=list(data["thematic_areas"]),
            support_types=list(data["support_types"]),
            geography_scope=data["geography_scope"],
            beneficiary_countries=list(data["beneficiary_countries"]),
            support_platform=data.get("support_platform"),
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            amount=data.get("amount"),
            currency=data.get("currency"),
            targets=self.targets.to_inputs(),
            confirm_implausible=bool(data.get("confirm_implausible")),
        )

    def error_summary(self) -> list[SummaryItem]:
        items = super().error_summary()
        for message in self.targets.non_form_errors():
            items.append(SummaryItem(str(message), "#targets-group"))
        for index, form in enumerate(self.targets.forms, start=1):
            for name, messages in form.errors.items():
                bound = form[name] if name in form.fields else None
                for message in messages:
                    label = _("Target %(number)s") % {"number": index}
                    if bound is not None:
                        label = f"{label}, {bound.label}"
                    items.append(
                        SummaryItem(f"{label}: {message}", f"#{bound.auto_id}" if bound else "")
                    )
        return items


def data_after_save(data: QueryDict, pledge: Pledge) -> QueryDict:
    """The submitted form data, brought up to date with what the service saved: the pledge's
    new version, and the targets rows with the ids the service gave them (it keeps the order
    of the kept rows), plus one blank row. Used when a save succeeded but the submission that
    followed was refused, so the user corrects the saved pledge and not a stale copy."""
    fresh = data.copy()
    fresh["version"] = str(pledge.version)
    for key in [k for k in fresh if k.startswith(f"{TARGETS_PREFIX}-")]:
        del fresh[key]
    targets = list(pledge.targets.order_by("id"))
    fresh[f"{TARGETS_PREFIX}-TOTAL_FORMS"] = str(len(targets) + 1)
    fresh[f"{TARGETS_PREFIX}-INITIAL_FORMS"] = str(len(targets))
    fresh[f"{TARGETS_PREFIX}-MIN_NUM_FORMS"] = "0"
    fresh[f"{TARGETS_PREFIX}-MAX_NUM_FORMS"] = str(MAX_TARGETS)
    for index, target in enumerate(targets):
        row = f"{TARGETS_PREFIX}-{index}-"
        fresh[f"{row}id"] = str(target.pk)
        fresh[f"{row}metric"] = target.metric
        fresh[f"{row}unit"] = target.unit
        fresh[f"{row}baseline"] = "" if target.baseline is None else str(target.baseline)
        fresh[f"{row}target_value"] = str(target.target_value)
        fresh[f"{row}due_date"] = target.due_date.isoformat() if target.due_date else ""
    return fresh


# --------------------------------------------------------------------------------------------
# Progress updates
# --------------------------------------------------------------------------------------------


class UpdateForm(ServiceErrorsForm):
    """A progress report on a published pledge, with one achieved value per target."""

    group_names = ("actuals",)

    status = forms.ChoiceField(
        label=_("Implementation status"),
        choices=ImplementationStatus.choices,
        widget=forms.RadioSelect,
    )
    reported_on = forms.DateField(label=_("Report date"), widget=_date_input())
    narrative = forms.CharField(
        label=_("Narrative"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What has been done since the last report."),
    )
    challenges = forms.CharField(
        label=_("Challenges"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Web addresses of reports or other evidence, one per line."),
    )
    disbursed_amount = forms.DecimalField(
        label=_("Amount disbursed to date"),
        required=False,
        max_digits=18,
        decimal_places=2,
        widget=_amount_input(),
    )

    round = forms.ModelChoiceField(
        label=_("Reporting round"),
        queryset=ReportingRound.objects.none(),
        required=False,
        empty_label=_("No round"),
        help_text=_("The open reporting round of the compact this update answers, if any."),
    )
    confirm_implausible = _confirm_field()
    entity = forms.ModelChoiceField(
        label=_("Reporting for"),
        queryset=Entity.objects.none(),
        empty_label=None,
        help_text=_("The entity this update is attributed to."),
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        pledge: Pledge,
        entity_ids: Sequence[int] = (),
    ) -> None:
        super().__init__(data, initial={"reported_on": timezone.localdate()})
        self.pledge = pledge
        # Open rounds of the pledge's compact today (the service checks again on submission).
        rounds = ReportingRound.objects.open_on(timezone.localdate()).filter(
            compact_id=pledge.compact_id
        )
        model_choice_field(self, "round").queryset = rounds.order_by("closes_on", "id")
        if not rounds.exists():
            del self.fields["round"]
        # Who the user may report for (`workflow.reporting_entity_ids`): asked only when several.
        if len(entity_ids) > 1:
            entity_field = model_choice_field(self, "entity")
            entity_field.queryset = Entity.objects.filter(pk__in=entity_ids)
            entity_field.initial = entity_ids[0]
        else:
            del self.fields["entity"]
        if pledge.amount is None:
            del self.fields["disbursed_amount"]
        else:
            self.fields["disbursed_amount"].help_text = _(
                "Cumulative, in %(currency)s, of the %(amount)s pledged."
            ) % {"currency": pledge.currency_id, "amount": floatformat(pledge.amount, "-2g")}
        self.target_fields: list[tuple[str, Any]] = []
        for target in pledge.targets.all():
            name = f"actual_{target.pk}"
            # Bounds here too, so that each value gets its error next to it even when other
            # fields stop the form before the service sees it.
            self.fields[name] = forms.DecimalField(
                label=target.metric,
                required=False,
                max_digits=18,
                decimal_places=2,
                min_value=0,
                max_value=100 if target.unit == TargetUnit.PERCENT else None,
                widget=_amount_input(),
                help_text=_("Target: %(value)s %(unit)s. Cumulative achieved value.")
                % {
                    "value": floatformat(target.target_value, "-2g"),
                    "unit": target.get_unit_display(),
                },
            )
            self.target_fields.append((name, target))

    def actual_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _target in self.target_fields]

    def clean_evidence_links(self) -> list[str]:
        text = self.cleaned_data["evidence_links"]
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The service's rules on whatever cleaned, so that the rules across fields (more
        # disbursed than pledged, a date before the pledge starts…) show in the same round as
        # the fields' own errors. A field that failed stands in with a harmless value; its
        # own message is the one shown.
        content = UpdateInput(
            status=cleaned.get("status") or ImplementationStatus.IN_PROGRESS,
            narrative=cleaned.get("narrative") or "-",
            reported_on=cleaned.get("reported_on") or timezone.localdate(),
            challenges=cleaned.get("challenges", ""),
            evidence_links=cleaned.get("evidence_links") or (),
            disbursed_amount=cleaned.get("disbursed_amount"),
            actuals={
                target.pk: cleaned[name]
                for name, target in self.target_fields
                if cleaned.get(name) is not None
            },
            round=cleaned.get("round"),
            confirm_implausible=bool(cleaned.get("confirm_implausible")),
        )
        try:
            validate_update(self.pledge, content)
        except ValidationError as error:
            apply_rules_in_clean(self, error)
        return cleaned

    @property
    def asks_confirmation(self) -> bool:
        """Whether to show the confirmation box: a rule asked for it, or it is ticked."""
        return bool(self.errors.get("confirm_implausible") or self["confirm_implausible"].value())

    def to_input(self) -> UpdateInput:
        data = self.cleaned_data
        actuals: dict[int, Decimal] = {
            target.pk: data[name]
            for name, target in self.target_fields
            if data.get(name) is not None
        }
        return UpdateInput(
            status=data["status"],
            narrative=data["narrative"],
            reported_on=data["reported_on"],
            challenges=data["challenges"],
            evidence_links=data["evidence_links"],
            disbursed_amount=data.get("disbursed_amount"),
            actuals=actuals,
            round=data.get("round"),
            confirm_implausible=bool(data.get("confirm_implausible")),
        )


# --------------------------------------------------------------------------------------------
# Small forms of the pledge page
# --------------------------------------------------------------------------------------------


class TransitionForm(WorkspaceForm):
    """The optional reason of a review action (the service says when it is required)."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea)


class InviteSearchForm(WorkspaceForm):
    """The search box that finds entities to invite (GET, on the pledge page).

    A dropdown of every entity is unusable with thousands of them, so the page offers only the
    matches of a search. The parameter is prefixed so that it cannot clash with other query
    parameters of the pledge page."""

    invite_q = forms.CharField(
        label=_("Find an entity by name or acronym"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, data: QueryDict | None = None) -> None:
        super().__init__(data, auto_id="invite-search-%s")

    def query(self) -> str:
        """The search text with its whitespace collapsed; empty when there is none (or it is
        too long to be a name, which is not worth an error message)."""
        if not self.is_valid():
            return ""
        return " ".join(self.cleaned_data["invite_q"].split())


class InviteEntityField(forms.ModelChoiceField):
    """Entities as radio options that say enough to tell namesakes apart."""

    def label_from_instance(self, obj: Any) -> str:
        # The page select_related()s type and country, so a label costs no query.
        name = f"{obj.name} ({obj.acronym})" if obj.acronym else obj.name
        parts = [name, str(obj.entity_type)]
        if obj.country_id:
            parts.append(str(obj.country))
        if not obj.is_verified:
            parts.append(str(_("awaiting verification")))
        return " — ".join(parts)


class InviteForm(ServiceErrorsForm):
    """Invite another entity to co-pledge, chosen among the results of `InviteSearchForm`."""

    entity = InviteEntityField(
        label=_("Entity"),
        queryset=Entity.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the entity to invite."),
            "invalid_choice": _("That entity does not exist: search for it again."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ParticipantRole.choices, initial=ParticipantRole.CO_PLEDGER
    )

    def __init__(
        self, data: QueryDict | None = None, *, user: Any, choices: Iterable[Entity] = ()
    ) -> None:
        """`choices` are the entities offered (the search results). Validation looks the posted
        id up among all the entities `user` may see (a sliced result list cannot be filtered,
        and whether an entity may be invited is the service's decision, not the search's): the
        id of an unverified entity of somebody else answers like an unknown id."""
        super().__init__(data, auto_id="invite-%s")
        field = cast(InviteEntityField, self.fields["entity"])
        field.queryset = Entity.objects.visible_to(user)
        self.offer(choices)

    def offer(self, choices: Iterable[Entity]) -> None:
        """Show `choices` as the radio options (they do not limit what validates)."""
        field = cast(InviteEntityField, self.fields["entity"])
        field.choices = [(entity.pk, field.label_from_instance(entity)) for entity in choices]


class RespondForm(WorkspaceForm):
    """An invited entity's answer."""

    response = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])


class ReaffirmForm(ServiceErrorsForm):
    """Reaffirm a published pledge at a later forum of its compact (`reaffirm_pledge`)."""

    forum = forms.ModelChoiceField(label=_("Forum"), queryset=Forum.objects.none())
    reaffirmed_on = forms.DateField(
        label=_("Reaffirmed on"),
        required=False,
        widget=_date_input(),
        help_text=_("Leave empty for the forum's first day."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was said at the forum, e.g. a new timeline."),
    )

    def __init__(self, data: QueryDict | None = None, *, pledge: Pledge) -> None:
        super().__init__(data)
        # The forums of the compact other than its own; the service says which are too early.
        done = pledge.reaffirmations.values("forum_id")
        field = model_choice_field(self, "forum")
        field.queryset = (
            Forum.objects.filter(compact_id=pledge.compact_id)
            .exclude(pk=pledge.forum_id or 0)
            .exclude(pk__in=done)
            .order_by("year", "start_date", "code")
        )
        # Read once: the page offers the form only when there is a forum left to choose.
        forums = list(field.queryset)
        field.choices = [("", "---------"), *((f.pk, str(f)) for f in forums)]
        self.has_forums = bool(forums)


class LinkForm(ServiceErrorsForm):
    """Relate the pledge to another one, named by its reference."""

    reference = forms.CharField(
        label=_("Reference of the other pledge"),
        max_length=20,
        help_text=_("e.g. GRF23-00042"),
    )
    kind = forms.ChoiceField(
        label=_("Kind of link"),
        choices=LinkKind.choices,
    )

    def __init__(self, data: QueryDict | None = None, *, user: Any) -> None:
        super().__init__(data, auto_id="link-%s")
        self.user = user

    def clean_reference(self) -> Pledge:
        reference = self.cleaned_data["reference"].strip().upper()
        # Only pledges the user may see can be named, so a reference never reveals a draft.
        target = Pledge.objects.visible_to(self.user).filter(reference=reference).first()
        if target is None:
            raise ValidationError(_("No pledge with that reference."), code="unknown")
        return target


class TranslationForm(ServiceErrorsForm):
    """A translation of a pledge's title and description. Adding one, the language is chosen
    among those the pledge has no text in yet; changing one, its language is fixed."""

    language = forms.ChoiceField(label=_("Language of the translation"), choices=())
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The same length rules apply as to the pledge's own description."),
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        pledge: Pledge,
        existing: PledgeTranslation | None = None,
    ) -> None:
        initial = None
        if existing is not None:
            initial = {
                "language": existing.language,
                "title": existing.title,
                "description": existing.description,
            }
        super().__init__(data, initial=initial)
        if existing is None:
            taken = {pledge.language, *(t.language for t in pledge.translations.all())}
            choices = [(code, name) for code, name in language_choices() if code not in taken]
        else:
            choices = [(c, n) for c, n in language_choices() if c == existing.language]
            self.fields["language"].disabled = True
            # The text inputs hold text in that language (spell checking, direction).
            text = {"lang": existing.language, "dir": existing.language_dir}
            self.fields["title"].widget.attrs.update(text)
            self.fields["description"].widget.attrs.update(text)
        choice_field(self, "language").choices = choices


# --------------------------------------------------------------------------------------------
# My pledges: filter and sort
# --------------------------------------------------------------------------------------------


class MyPledgesFilterForm(WorkspaceForm):
    """Filter and sort of "My pledges"; both are allowlists, never raw ORM lookups."""

    state = forms.ChoiceField(label=_("Review state"), required=False, choices=())
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=())

    SORT_CHOICES: tuple[tuple[str, Any], ...] = (
        ("updated", _("Recently changed")),
        ("reference", _("Reference")),
        ("title", _("Title")),
        ("state", _("Review state")),
        ("last_update", _("Last progress update")),
    )

    def __init__(self, data: QueryDict | None = None) -> None:
        super().__init__(data, auto_id="filter-%s")
        choice_field(self, "state").choices = [("", _("All states")), *ReviewState.choices]
        choice_field(self, "sort").choices = list(self.SORT_CHOICES)

    def state_value(self) -> str:
        return self.cleaned_data.get("state", "") if self.is_valid() else ""

    def sort_value(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "updated"
