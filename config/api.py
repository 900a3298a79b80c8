"""The partner API: one router registers every app's viewsets (`/api/v1/…`)."""

from compacts.api.views import CompactViewSet, ObjectiveViewSet, PrincipleViewSet
from core.api.root import ApiRouter
from forums.api.views import ForumViewSet, ReportingRoundViewSet
from indicators.api.views import (
    ExchangeRateViewSet,
    IndicatorValueViewSet,
    IndicatorViewSet,
    ProgressViewSet,
)
from pledges.api.views import EntityViewSet, PledgeUpdateViewSet, PledgeViewSet

router = ApiRouter()
router.register("compacts", CompactViewSet, basename="compact")
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("principles", PrincipleViewSet, basename="principle")
router.register("forums", ForumViewSet, basename="forum")
router.register("reporting-rounds", ReportingRoundViewSet, basename="reporting-round")
router.register("entities", EntityViewSet, basename="entity")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("pledge-updates", PledgeUpdateViewSet, basename="pledge-update")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("indicator-values", IndicatorValueViewSet, basename="indicator-value")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("progress", ProgressViewSet, basename="progress")

urlpatterns = router.urls
