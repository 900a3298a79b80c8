"""Input shapes of the secretariat's review queues: queue filters and review decisions.

These forms only check that a request is well formed. Whether a decision is allowed (state,
permission, a reason where one is needed, a verified entity…) is decided by the services, whose
ValidationError messages the views copy back onto these forms, so each rule lives in one place.
"""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from compacts.models import Compact
from core.forms import choice_field, model_choice_field
from forums.models import Forum

from .models import Entity, EntityType, Pledge, PledgeUpdate, ReviewState, UpdateReviewState
from .workflow import PLEDGE_TRANSITIONS, REASON_MAX_LENGTH, UPDATE_TRANSITIONS

# The decisions the secretariat takes from its queue, in the order the buttons appear.
QUEUE_DECISIONS = ("publish", "request_changes", "reject")
# The queue shows exactly the states of `workflow.AWAITING_REVIEW`, listed in a stable order.
QUEUE_STATES = (ReviewState.SUBMITTED, ReviewState.RESUBMITTED)


class PledgeQueueFilter(django_filters.FilterSet):
    """Narrows the review queue; every choice is an allowlisted field, never raw ORM input."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        help_text=_("Reference, title or entity"),
    )
    compact = django_filters.ModelChoiceFilter(
        queryset=Compact.objects.order_by("code"), label=_("Compact"), empty_label=_("All")
    )
    forum = django_filters.ModelChoiceFilter(
        queryset=Forum.objects.order_by("compact__code", "year", "code"),
        label=_("Forum"),
        empty_label=_("All"),
    )
    entity_type = django_filters.ModelChoiceFilter(
        field_name="entity__entity_type",
        queryset=EntityType.objects.all(),
        label=_("Entity type"),
        empty_label=_("All"),
    )
    state = django_filters.ChoiceFilter(
        field_name="review_state",
        choices=[(state.value, state.label) for state in QUEUE_STATES],
        label=_("State"),
        empty_label=_("Submitted or resubmitted"),
    )

    class Meta:
        model = Pledge
        fields: list[str] = []

    def search(self, queryset: QuerySet[Pledge], name: str, value: str) -> QuerySet[Pledge]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(entity__name__icontains=value)
            | Q(entity__acronym__iexact=value)
        )


class UpdateQueueFilter(django_filters.FilterSet):
    """Narrows the queue of pending progress updates."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        help_text=_("Reference, pledge title or entity"),
    )
    compact = django_filters.ModelChoiceFilter(
        field_name="pledge__compact",
        queryset=Compact.objects.order_by("code"),
        label=_("Compact"),
        empty_label=_("All"),
    )
    forum = django_filters.ModelChoiceFilter(
        field_name="pledge__forum",
        queryset=Forum.objects.order_by("compact__code", "year", "code"),
        label=_("Forum"),
        empty_label=_("All"),
    )
    # Only entities with something waiting: the full list of entities would be long and
    # mostly useless here.
    entity = django_filters.ModelChoiceFilter(
        field_name="pledge__entity",
        queryset=Entity.objects.filter(
            pledges__updates__review_state=UpdateReviewState.PENDING
        ).distinct(),
        label=_("Entity"),
        empty_label=_("All"),
    )

    class Meta:
        model = PledgeUpdate
        fields: list[str] = []

    def search(
        self, queryset: QuerySet[PledgeUpdate], name: str, value: str
    ) -> QuerySet[PledgeUpdate]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(pledge__reference__icontains=value)
            | Q(pledge__title__icontains=value)
            | Q(pledge__entity__name__icontains=value)
            | Q(pledge__entity__acronym__iexact=value)
        )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        # The selected entity stays a valid choice once its last update is decided: the reviewer
        # lands back on the filtered queue and sees that nothing of it waits, not an error.
        try:
            selected = int((data or {}).get("entity") or 0)
        except (TypeError, ValueError):
            selected = 0
        if 0 < selected < 2**63:  # a bigint: a larger number is simply an invalid choice
            self.filters["entity"].queryset = Entity.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceFilter
                Q(pledges__updates__review_state=UpdateReviewState.PENDING) | Q(pk=selected)
            ).distinct()


class DecisionForm(forms.Form):
    """A review decision: which action, and the reason the submitter will read."""

    actions: tuple[str, ...] = ()
    reason_help: Any = ""
    # Chosen with one submit button per action, hence hidden rather than a select.
    action = forms.ChoiceField(label=_("Decision"), widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "action").choices = [
            (name, self.label_of(name)) for name in self.actions
        ]
        self.fields["reason"].help_text = self.reason_help

    def label_of(self, name: str) -> Any:
        raise NotImplementedError


class PledgeDecisionForm(DecisionForm):
    """Publish, request changes or reject one pledge of the queue."""

    actions = QUEUE_DECISIONS
    reason_help = _("Required to request changes or to reject. The submitter will see it.")

    def label_of(self, name: str) -> Any:
        return PLEDGE_TRANSITIONS[name].label


class UpdateDecisionForm(DecisionForm):
    """Approve or return one progress update."""

    actions = ("approve", "return")
    reason_help = _("Required to return the update. The submitter will see it.")

    def label_of(self, name: str) -> Any:
        return UPDATE_TRANSITIONS[name].label


class EveryChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice that names every unknown value, not only the first (Django stops
    there), so that a bulk action lists all the bad rows at once."""

    def _check_values(self, value: Any) -> QuerySet:
        key = self.to_field_name or "pk"
        values = sorted({str(v) for v in value}) if isinstance(value, list | tuple) else value
        try:
            return super()._check_values(values)  # type: ignore[misc]  # private: not in the stubs
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
        found = {
            str(v)
            for v in self.queryset.filter(  # type: ignore[union-attr]  # every use gives one
                **{f"{key}__in": values}
            ).values_list(key, flat=True)
        }
        raise ValidationError(
            [
                ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": v},
                )
                for v in values
                if v not in found
            ]
        )


class BulkPublishForm(forms.Form):
    """The ticked rows of the review queue, by reference."""

    pledges = EveryChoiceField(
        queryset=Pledge.objects.none(),
        to_field_name="reference",
        label=_("Pledges to publish"),
        error_messages={
            "required": _("Tick at least one pledge to publish."),
            "invalid_choice": _("There is no pledge %(value)s."),
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Oldest first, as in the queue, so a refusal names the same pledge whatever the order
        # the boxes were ticked in.
        model_choice_field(self, "pledges").queryset = Pledge.objects.visible_to(user).order_by(
            "submitted_at", "id"
        )


class DuplicateForm(forms.Form):
    """Mark the pledge as a duplicate of another one (named by its reference), or take that
    back; the reason is required either way and kept in the pledge's audit trail."""

    ACTIONS = ("mark", "remove")

    # Not `action`: that name is the decision form's, on the same page.
    duplicate = forms.ChoiceField(choices=[(name, name) for name in ACTIONS])
    target = forms.CharField(
        label=_("Duplicate of"),
        max_length=20,
        required=False,
        help_text=_("Reference of the pledge this one repeats, e.g. GRF23-00042."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("Required. Kept in the pledge's history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "duplicate-%s")
        super().__init__(*args, **kwargs)
