"""A seeking pledge of entity A and offering pledges of entity B, all published at one forum,
with what they seek and offer."""

from typing import Any

import pytest

from matching.models import Side, SupportPosition
from pledges.models import Entity, Pledge, SupportType
from tests.factories import (
    CountryFactory,
    ForumFactory,
    ObjectiveFactory,
    PledgeFactory,
    SupportTypeFactory,
)


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any) -> Any:
    """`with sent():` runs what waits for the commit (the e-mails) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def forum(db: None) -> Any:
    return ForumFactory(code="GRF23")


@pytest.fixture
def objectives(forum: Any) -> list[Any]:
    return [ObjectiveFactory(compact=forum.compact, number=n) for n in (1, 2, 3)]


@pytest.fixture
def financial(db: None) -> SupportType:
    return SupportTypeFactory(code="financial", name="Financial")


@pytest.fixture
def technical(db: None) -> SupportType:
    return SupportTypeFactory(code="technical", name="Technical")


@pytest.fixture
def kenya(db: None) -> Any:
    return CountryFactory(code="KE", iso3="KEN", name="Kenya")


@pytest.fixture
def uganda(db: None) -> Any:
    return CountryFactory(code="UG", iso3="UGA", name="Uganda")


@pytest.fixture
def entity_b(member_b: Any) -> Entity:
    return member_b.memberships.get().entity


def position(
    pledge: Pledge, side: str, support_type: SupportType, **fields: Any
) -> SupportPosition:
    countries = fields.pop("countries", ())
    made = SupportPosition.objects.create(
        pledge=pledge, side=side, support_type=support_type, **fields
    )
    made.countries.set(countries)
    return made


@pytest.fixture
def seeking(
    entity_a: Entity, forum: Any, objectives: list[Any], financial: SupportType, kenya: Any
) -> Pledge:
    pledge = PledgeFactory(
        reference="GRF23-00100",
        title="Schools for refugee children in Kakuma",
        entity=entity_a,
        forum=forum,
        review_state="published",
        objectives=objectives[:2],
    )
    position(
        pledge,
        Side.SEEKS,
        financial,
        countries=[kenya],
        description="Funding for teachers and classrooms in refugee schools",
    )
    return pledge


@pytest.fixture
def offering(
    entity_b: Entity, forum: Any, objectives: list[Any], financial: SupportType, kenya: Any
) -> Pledge:
    pledge = PledgeFactory(
        reference="GRF23-00200",
        title="Education fund",
        entity=entity_b,
        forum=forum,
        review_state="published",
        objectives=objectives[:1],
    )
    position(
        pledge,
        Side.OFFERS,
        financial,
        countries=[kenya],
        description="Grants for teachers in refugee schools",
    )
    return pledge
