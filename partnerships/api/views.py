"""Read-only API of multistakeholder pledges (`/api/v1/multistakeholder-pledges/`)."""

from typing import Any

import django_filters
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.serializers import BaseSerializer

from core.api.viewsets import ReadOnlyResourceViewSet
from partnerships.models import KeyOutcome, MspStatus, MultistakeholderPledge
from partnerships.selectors import listed, public_leads, with_member_count
from pledges.models import Pledge

from .serializers import MultistakeholderPledgeDetailSerializer, MultistakeholderPledgeSerializer


class MspFilter(django_filters.FilterSet):
    compact = django_filters.CharFilter(
        field_name="compact__code", lookup_expr="iexact", help_text=_("Compact code, e.g. GCR.")
    )
    forum = django_filters.CharFilter(
        field_name="forum__code", lookup_expr="iexact", help_text=_("Forum code, e.g. GRF23.")
    )
    status = django_filters.ChoiceFilter(choices=MspStatus.choices)

    class Meta:
        model = MultistakeholderPledge
        fields = ("compact", "forum", "status")


def _snapshots() -> Any:
    """The engine's snapshots, through the reverse relation `snapshots` by name (the progress
    engine's app sits above this one)."""
    return MultistakeholderPledge._meta.get_field("snapshots").related_model


@extend_schema_view(
    list=extend_schema(
        summary=_("List multistakeholder pledges"),
        description=_(
            "Joint commitments that individual pledges join, with their accepted lead entities, "
            "key outcomes, the number of published member pledges and the latest figures the "
            "tracker computed over them; filter by `compact`, `forum`, `status`. The member "
            "pledges themselves are `/api/v1/pledges/?msp=<slug>`."
        ),
    ),
    retrieve=extend_schema(
        summary=_("One multistakeholder pledge, by code"),
        description=_("Also lists the published member pledges (reference and link)."),
    ),
)
class MultistakeholderPledgeViewSet(ReadOnlyResourceViewSet):
    filterset_class = MspFilter
    lookup_field = "slug"
    ordering = ("id",)
    ordering_fields = ("id", "slug", "created_at")
    export_basename = "multistakeholder-pledges"

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "retrieve":
            return MultistakeholderPledgeDetailSerializer
        return MultistakeholderPledgeSerializer

    def get_queryset(self) -> QuerySet[MultistakeholderPledge]:
        latest = (
            _snapshots()
            .objects.filter(msp=OuterRef("pk"), slice_kind="overall", slice_key="")
            .order_by("-date")
        )
        queryset = (
            with_member_count(listed())
            .select_related("thematic_area")
            .prefetch_related(
                public_leads(),
                "objectives__compact",
                Prefetch("key_outcomes", queryset=KeyOutcome.objects.order_by("position", "id")),
            )
            .annotate(
                figures=Subquery(latest.values("figures")[:1]),
                figures_date=Subquery(latest.values("date")[:1]),
            )
        )
        return queryset

    def get_object(self) -> Any:
        msp = super().get_object()
        # Membership changes do not move the MSP's updated_at: no Last-Modified (the ETag,
        # a hash of the body, sees them).
        self._last_modified = None
        if self.action == "retrieve":
            msp.member_list = list(
                Pledge.objects.filter(pk__in=msp.memberships.public().values("pledge_id"))
                .order_by("reference")
                .only("reference")
            )
        return msp
