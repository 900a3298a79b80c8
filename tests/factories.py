"""factory_boy factories for every model, and the builders that tests share on top of the
shipped reference data: `pledge_input` (what the services take) and `PledgeRows` (rows built
directly, no workflow). Reference rows use django_get_or_create so that tests can combine
factories with the shipped reference data without unique-key clashes."""

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from compacts.models import (
    Compact,
    GuidingPrinciple,
    Objective,
    ObjectiveAction,
    SupportPlatform,
    ThematicArea,
)
from core.models import Country, Currency, ExchangeRate, Region
from followup.models import FollowUpDocument
from forums.models import Forum, ForumKind, RegionalReview
from goals.models import Goal, OfficialFigure
from indicators.models import (
    Direction,
    FrameworkEdition,
    Indicator,
    IndicatorUnit,
    IndicatorValue,
    ReportEdition,
)
from partnerships.models import MultistakeholderPledge
from pledges.models import (
    Entity,
    EntityType,
    Membership,
    MembershipStatus,
    Pledge,
    PledgeTarget,
    PledgeUpdate,
    ReviewState,
    SupportType,
    TargetUnit,
    UpdateReviewState,
)
from pledges.names import cased_name_skeleton, name_skeleton
from pledges.services import PledgeInput


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("test-pass-2026")


class CountryFactory(DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "KE"
    iso3 = "KEN"
    name = "Kenya"
    region = Region.AFRICA
    subregion = "Eastern Africa"


class CurrencyFactory(DjangoModelFactory):
    class Meta:
        model = Currency
        django_get_or_create = ("code",)

    code = "USD"
    name = "US Dollar"


class CompactFactory(DjangoModelFactory):
    class Meta:
        model = Compact
        django_get_or_create = ("code",)

    code = "GCR"
    name = "Global Compact on Refugees"


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective
        django_get_or_create = ("compact", "number")

    compact = factory.SubFactory(CompactFactory)
    number = factory.Sequence(lambda n: n % 4 + 1)
    title = factory.LazyAttribute(lambda o: f"Objective {o.number}")
    short_label = factory.LazyAttribute(lambda o: f"Objective {o.number}")


class ObjectiveActionFactory(DjangoModelFactory):
    class Meta:
        model = ObjectiveAction
        django_get_or_create = ("objective", "letter")

    objective = factory.SubFactory(ObjectiveFactory)
    letter = "a"
    text = "Support other States."


class GuidingPrincipleFactory(DjangoModelFactory):
    class Meta:
        model = GuidingPrinciple
        django_get_or_create = ("compact", "number")

    compact = factory.SubFactory(CompactFactory, code="GCM", name="Global Compact for Migration")
    number = 1
    name = "People-centred"


class ThematicAreaFactory(DjangoModelFactory):
    class Meta:
        model = ThematicArea
        django_get_or_create = ("compact", "slug")

    compact = factory.SubFactory(CompactFactory)
    slug = "education"
    name = "Education"


class ForumFactory(DjangoModelFactory):
    class Meta:
        model = Forum
        django_get_or_create = ("code",)

    compact = factory.SubFactory(CompactFactory)
    kind = ForumKind.GRF
    code = "GRF23"
    name = "Global Refugee Forum 2023"
    year = 2023
    start_date = dt.date(2023, 12, 13)
    end_date = dt.date(2023, 12, 15)
    place = "Geneva"


class EntityTypeFactory(DjangoModelFactory):
    class Meta:
        model = EntityType
        django_get_or_create = ("code",)

    code = "ngo"
    name = "NGO / civil society"


class SupportTypeFactory(DjangoModelFactory):
    class Meta:
        model = SupportType
        django_get_or_create = ("code",)

    code = "financial"
    name = "Financial"


class EntityFactory(DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Organisation {n}")
    # As register_entity stores it, so that factory-made entities take part in the look-alike check.
    name_skeleton = factory.LazyAttribute(lambda entity: name_skeleton(entity.name))
    cased_name_skeleton = factory.LazyAttribute(lambda entity: cased_name_skeleton(entity.name))
    entity_type = factory.SubFactory(EntityTypeFactory)
    country = factory.SubFactory(CountryFactory)
    is_verified = True
    verified_at = factory.Maybe(
        "is_verified", yes_declaration=dt.datetime(2023, 1, 1, tzinfo=dt.UTC), no_declaration=None
    )


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    entity = factory.SubFactory(EntityFactory)
    status = MembershipStatus.ACTIVE


class PledgeFactory(DjangoModelFactory):
    class Meta:
        model = Pledge
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"GRF23-{n + 1:05d}")
    title = factory.Sequence(lambda n: f"Pledge {n}")
    description = "Expand access to national schools for refugee children."
    forum = factory.SubFactory(ForumFactory)
    compact = factory.SelfAttribute("forum.compact")
    entity = factory.SubFactory(EntityFactory)
    review_state = ReviewState.DRAFT
    # A published pledge always has a publication time (a database constraint).
    published_at = factory.LazyAttribute(
        lambda o: dt.datetime(2024, 1, 15, tzinfo=dt.UTC) if o.review_state == "published" else None
    )

    @classmethod
    def _create(cls, model_class: type[Pledge], *args: Any, **kwargs: Any) -> Pledge:
        # Rows, not the workflow: no history version (the services write those, and their
        # tests read them). A version per save and per relation set copied every relation five
        # times and was most of an API test's setup time.
        pledge = model_class(*args, **kwargs)
        pledge.skip_history_when_saving = True  # type: ignore[attr-defined]  # simple_history's switch
        pledge.save()
        return pledge

    @factory.post_generation
    def objectives(self, create: bool, extracted: list[Objective] | None, **kwargs: object) -> None:
        if not create:
            return
        if extracted is None:
            extracted = [ObjectiveFactory(compact=self.compact, number=1)]
        self.objectives.set(extracted)

    @factory.post_generation
    def beneficiary_countries(self, create: bool, extracted: Any, **kwargs: object) -> None:
        if create and extracted is not None:
            self.beneficiary_countries.set(extracted)

    @factory.post_generation
    def thematic_areas(self, create: bool, extracted: Any, **kwargs: object) -> None:
        if create and extracted is not None:
            self.thematic_areas.set(extracted)

    @factory.post_generation
    def support_types(self, create: bool, extracted: Any, **kwargs: object) -> None:
        if create and extracted is not None:
            self.support_types.set(extracted)

    @classmethod
    def _after_postgeneration(cls, instance: Pledge, create: bool, results: Any = None) -> None:
        if create:  # later saves by the test are recorded as usual
            del instance.skip_history_when_saving  # type: ignore[attr-defined]  # as above


class PledgeTargetFactory(DjangoModelFactory):
    class Meta:
        model = PledgeTarget

    pledge = factory.SubFactory(PledgeFactory)
    metric = "Resettlement places"
    unit = TargetUnit.PLACES
    target_value = Decimal("100")


class PledgeUpdateFactory(DjangoModelFactory):
    class Meta:
        model = PledgeUpdate

    pledge = factory.SubFactory(PledgeFactory)
    entity = factory.SelfAttribute("pledge.entity")
    status = "in_progress"
    narrative = "Work is under way."
    reported_on = dt.date(2024, 6, 30)
    review_state = UpdateReviewState.PENDING
    # A reviewed update always has a review time (a database constraint).
    reviewed_at = factory.LazyAttribute(
        lambda o: (
            None
            if o.review_state == UpdateReviewState.PENDING
            else dt.datetime(2024, 7, 15, tzinfo=dt.UTC)
        )
    )


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("compact", "code")

    objective = factory.SubFactory(ObjectiveFactory)
    compact = factory.SelfAttribute("objective.compact")
    code = "3.1.1"
    title = "Refugees resettled to third countries"
    unit = IndicatorUnit.PERSONS
    direction = Direction.HIGHER_IS_BETTER


class IndicatorValueFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    country = None
    year = 2023
    value = Decimal("1000")
    source = "UNHCR"


class ExchangeRateFactory(DjangoModelFactory):
    class Meta:
        model = ExchangeRate
        django_get_or_create = ("currency", "date")

    currency = factory.SubFactory(CurrencyFactory, code="EUR", name="Euro")
    date = dt.date(2023, 12, 13)
    usd_per_unit = Decimal("1.08")


# --------------------------------------------------------------------------------------------
# Builders on the shipped reference data (the `reference_data` fixture)
# --------------------------------------------------------------------------------------------

# What `load_reference_data` fills, besides the Secretariat group. The multistakeholder
# pledges first: `no_reference_data` empties the tables in this order, and they point at compacts.
REFERENCE_MODELS = [
    FollowUpDocument,  # links forums, compacts and objectives: emptied before them
    MultistakeholderPledge,
    Country,
    Currency,
    Compact,
    Objective,
    ObjectiveAction,
    GuidingPrinciple,
    ThematicArea,
    SupportPlatform,
    Forum,
    RegionalReview,
    EntityType,
    SupportType,
    Indicator,
    ReportEdition,
    FrameworkEdition,
    Goal,
    OfficialFigure,
]

GCM_DESCRIPTION = "A programme to open regular pathways for migrant workers. " * 8  # 456 chars


def pledge_input(*, entity: Entity, compact_code: str = "GCR", **overrides: Any) -> PledgeInput:
    """A complete, valid pledge of `entity`: objective 2 of the compact, at GRF 2023 (GCR) or
    IMRF 2026 (GCM, with a description long enough for it), for Kenya; keywords override."""
    compact = Compact.objects.get(code=compact_code)
    values: dict[str, Any] = {
        "title": "Include refugee children in national schools",
        "description": "We will enrol 10,000 refugee children in national schools by 2027.",
        "compact": compact,
        "forum": Forum.objects.get(code="GRF23" if compact_code == "GCR" else "IMRF26"),
        "entity": entity,
        "objectives": [Objective.objects.get(compact=compact, number=2)],
        "beneficiary_countries": [Country.objects.get(code="KE")],
    }
    if compact_code == "GCM":
        values["description"] = GCM_DESCRIPTION
    values.update(overrides)
    return PledgeInput(**values)


class PledgeRows:
    """Builds pledge rows directly (no review workflow): published unless `state` says
    otherwise, numbered per forum from 00001, with objectives, countries, thematic areas and
    support types named by number, code or slug. Other keywords are Pledge fields.
    `first` starts the numbering elsewhere, clear of the references the services hand out."""

    def __init__(self, first: int = 1) -> None:
        self.first = first
        self.numbers: dict[str, Iterator[int]] = {}

    def __call__(
        self,
        *,
        forum: str = "GRF23",
        objectives: Iterable[int] = (1,),
        countries: Iterable[str] = ("KE",),
        thematic_areas: Iterable[str] = (),
        support_types: Iterable[str] = (),
        entity: Entity | None = None,
        entity_type: str = "ngo",
        state: str = ReviewState.PUBLISHED,
        status: str = "",
        published_at: dt.datetime | None = None,
        updated_at: dt.datetime | None = None,
        **fields: Any,
    ) -> Pledge:
        forum_row = Forum.objects.select_related("compact").get(code=forum)
        counter = self.numbers.setdefault(forum, itertools.count(self.first))
        if entity is None:
            entity = EntityFactory(entity_type=EntityType.objects.get(code=entity_type))
        if state == ReviewState.PUBLISHED:
            published_at = published_at or timezone.now()
            fields.setdefault("submitted_at", published_at)
        pledge = PledgeFactory(
            reference=f"{forum}-{next(counter):05d}",  # type: ignore[call-overload]
            forum=forum_row,
            compact=forum_row.compact,
            entity=entity,
            review_state=state,
            published_at=published_at if state == ReviewState.PUBLISHED else None,
            implementation_status=status,
            announced_on=forum_row.start_date,
            objectives=[
                Objective.objects.get(compact=forum_row.compact, number=n) for n in objectives
            ],
            beneficiary_countries=Country.objects.filter(code__in=list(countries)),
            thematic_areas=ThematicArea.objects.filter(slug__in=list(thematic_areas)),
            support_types=SupportType.objects.filter(code__in=list(support_types)),
            **fields,
        )
        if updated_at is not None:
            Pledge.objects.filter(pk=pledge.pk).update(updated_at=updated_at)
            pledge.refresh_from_db()
        return pledge
