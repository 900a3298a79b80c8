"""Demo resources for the library: a few for every objective of both compacts, each marked
`is_demo` (the pages badge it "demo" and say it is invented), and one practice the showcase
entity submitted that waits for the secretariat's review."""

import datetime as dt
import random

from django.utils import timezone

from compacts.models import GuidingPrinciple, Objective
from core.models import Region
from resources.models import Resource, ResourceState, ResourceType

from .draws import stream

KINDS = (
    (ResourceType.PUBLICATION, "Study on {topic}"),
    (ResourceType.TOOL, "Toolkit for {topic}"),
    (ResourceType.PRACTICE, "Practice: {topic} in local communities"),
    (ResourceType.EVENT, "Regional dialogue on {topic}"),
    (ResourceType.NEWS, "News: progress on {topic}"),
)
LANGUAGES = (["en"], ["en", "fr"], ["es"], ["fr"], ["en", "es", "fr"], ["ar", "en"], ["ru"])
PUBLISHERS = ("Demo research institute", "Demo NGO network", "Demo ministry", "Demo UN office")


def create_demo_resources(*, seed: int, as_of: dt.date, showcase_entity_id: int) -> int:
    """Three demo resources per objective (five types in turn), published; returns how many
    rows were written (none when the demo resources exist: a rerun adds pledges only)."""
    if Resource.objects.filter(is_demo=True).exists():
        return 0
    rng: random.Random = stream(seed, "resources")
    objectives = list(
        Objective.objects.select_related("compact").order_by("compact__code", "number")
    )
    principles = {
        code: list(GuidingPrinciple.objects.filter(compact__code=code)) for code in ("GCM", "GCR")
    }
    now = timezone.now()
    made: list[tuple[Resource, Objective]] = []
    counter = 0
    for objective in objectives:
        for _n in range(3):
            kind, pattern = KINDS[counter % len(KINDS)]
            counter += 1
            languages = rng.choice(LANGUAGES)
            slug = f"{objective.compact.code.lower()}-{objective.number}-{counter}"
            made.append(
                (
                    Resource(
                        title=pattern.format(topic=objective.short_label.lower()),
                        summary=(
                            f"Invented for the demo: a {kind.label.lower()} on "
                            f"{objective.short_label.lower()} ({objective.compact.code} objective "
                            f"{objective.number})."
                        ),
                        resource_type=kind,
                        publisher=rng.choice(PUBLISHERS),
                        date=as_of - dt.timedelta(days=rng.randint(30, 6 * 365)),
                        language=languages[0],
                        languages=languages,
                        url=f"https://example.org/demo/resources/{slug}",
                        region=rng.choice(["", *Region.values]),
                        state=ResourceState.PUBLISHED,
                        published_at=now,
                        is_demo=True,
                    ),
                    objective,
                )
            )
    practice = Resource(
        title="Practice: language classes for newly arrived families",
        summary="Invented for the demo: a practice the showcase entity submitted for review.",
        resource_type=ResourceType.PRACTICE,
        publisher="",
        date=as_of - dt.timedelta(days=60),
        language="en",
        languages=["en"],
        url="https://example.org/demo/resources/practice-language-classes",
        state=ResourceState.SUBMITTED,
        entity_id=showcase_entity_id,
        submitted_at=now,
        is_demo=True,
    )
    rows = Resource.objects.bulk_create([resource for resource, _o in made] + [practice])
    objective_links = Resource.objectives.through
    principle_links = Resource.principles.through
    objective_links.objects.bulk_create(
        [objective_links(resource_id=r.pk, objective_id=o.pk) for r, o in made]
        + [objective_links(resource_id=practice.pk, objective_id=objectives[0].pk)]
    )
    principle_links.objects.bulk_create(
        [
            principle_links(resource_id=r.pk, guidingprinciple_id=rng.choice(pool).pk)
            for r, o in made
            if (pool := principles.get(o.compact.code))
        ]
    )
    return len(rows)
