"""The one FilterSet of follow-up documents, shared by the public list (`/documents/`) and the
API (`/api/v1/documents/`). Values are the codes people cite: `compact=GCM`, `forum=IMRF22`,
`objective=GCR-2`, `kind=sg_gcm_report`."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from compacts.models import Compact, Objective
from forums.models import Forum

from .models import DocumentKind, FollowUpDocument


def objective_choices() -> list[tuple[str, str]]:
    """`GCM-23` → "GCM 23. International cooperation", in compact and number order."""
    return [
        (f"{o.compact.code}-{o.number}", f"{o.compact.code} {o.number}. {o.short_label}")
        for o in Objective.objects.select_related("compact").order_by("compact__code", "number")
    ]


class CodeChoiceField(ModelChoiceField):
    """A compact or forum by its code, in any case (`gcm` as `GCM`): codes are upper case."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)


class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CodeChoiceField


class DocumentFilter(django_filters.FilterSet):
    compact = CodeChoiceFilter(
        label=_("Compact"),
        queryset=Compact.objects.order_by("code"),
        to_field_name="code",
        field_name="compacts",
        empty_label=_("All compacts"),
        help_text=_("Compact code, e.g. GCR."),
    )
    objective = django_filters.ChoiceFilter(
        label=_("Objective"),
        choices=objective_choices,
        method="filter_objective",
        empty_label=_("All objectives"),
        help_text=_("Compact and objective number, e.g. GCM-23."),
    )
    forum = CodeChoiceFilter(
        label=_("Forum"),
        queryset=Forum.objects.select_related("compact"),
        to_field_name="code",
        field_name="forums",
        empty_label=_("All forums"),
        help_text=_("Forum code, e.g. GRF23."),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=DocumentKind.choices, empty_label=_("All kinds")
    )

    class Meta:
        model = FollowUpDocument
        fields = ("compact", "objective", "forum", "kind")

    def filter_objective(
        self, queryset: QuerySet[FollowUpDocument], name: str, value: Any
    ) -> QuerySet[FollowUpDocument]:
        code, _dash, number = str(value).rpartition("-")
        return queryset.filter(objectives__compact__code=code, objectives__number=int(number))
