"""The partner API: one router registers every app's viewsets (`/api/v1/…`)."""

from changefeed.api.views import ChangeViewSet
from compacts.api.views import CompactViewSet, ObjectiveViewSet, PrincipleViewSet
from core.api.root import ApiRouter
from datapackages.api import DataPackageViewSet
from followup.api.views import FollowUpDocumentViewSet
from forums.api.views import ReportingRoundViewSet
from goals.api.views import ForumWithFiguresViewSet, GoalViewSet, OfficialFigureViewSet
from indicators.api.views import (
    ExchangeRateViewSet,
    IndicatorValueViewSet,
    IndicatorViewSet,
    ProgressViewSet,
)
from matching.api import MatchViewSet
from partnerships.api.views import MultistakeholderPledgeViewSet
from pledges.api.views import EntityViewSet, PledgeUpdateViewSet, PledgeViewSet
from resources.api.views import ResourceLibraryViewSet
from webhooks.api.views import WebhookDeliveryViewSet, WebhookSubscriptionViewSet

router = ApiRouter()
router.register("compacts", CompactViewSet, basename="compact")
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("principles", PrincipleViewSet, basename="principle")
router.register("forums", ForumWithFiguresViewSet, basename="forum")
router.register("reporting-rounds", ReportingRoundViewSet, basename="reporting-round")
router.register("entities", EntityViewSet, basename="entity")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("pledge-updates", PledgeUpdateViewSet, basename="pledge-update")
router.register("matches", MatchViewSet, basename="match")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("indicator-values", IndicatorValueViewSet, basename="indicator-value")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("progress", ProgressViewSet, basename="progress")
router.register("goals", GoalViewSet, basename="goal")
router.register("official-figures", OfficialFigureViewSet, basename="official-figure")
router.register("multistakeholder-pledges", MultistakeholderPledgeViewSet, basename="msp")
router.register("documents", FollowUpDocumentViewSet, basename="document")
# Deliveries first: their prefix would otherwise read as a subscription id (ids are UUIDs anyway).
router.register("webhooks/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
router.register("changes", ChangeViewSet, basename="change")
router.register("resources", ResourceLibraryViewSet, basename="resource")
router.register("bulk", DataPackageViewSet, basename="data-package")

urlpatterns = router.urls
