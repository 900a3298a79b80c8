"""Demo data for the zero-setup demo and for load tests (`manage.py seed_demo`).

Everything is drawn from `random.Random` instances seeded from one integer, so a seed always yields
the same entities and pledges (references, titles, amounts, states) on a fresh database; Faker is
avoided on purpose because its word lists change between releases. Each stage has its own random
stream, so a change in one stage does not reshuffle the others.

Reference data (compacts, objectives, forums, countries, currencies…) is read from the database and
never assumed: the demo follows whatever `manage.py load_reference_data` and the secretariat put
there. Every write is a bulk insert inside one transaction: row-by-row `save()` would take many
minutes for 100,000 pledges, and a half-seeded database is worse than none.

Re-running adds another batch: entities are matched by name and type, references continue after
each forum's counter, and the demo accounts, exchange rates and indicator values are not duplicated.

Modules, in the order a run uses them: `words` (word lists and weights), `snapshot` (the reference
data, read once), `draws` (random streams), `entities`, `accounts`, `plans` and `pledges` (the
generator), `writer` (COPY and bulk-load mechanics), `bundles` and `links` (the rows of a chunk),
`figures` (exchange rates, indicator values) and `run` (`seed_demo`, the entry point).
"""

from .accounts import DEMO_PASSWORD, SECRETARIAT_EMAIL, STAKEHOLDER_EMAIL
from .run import (
    DEFAULT_PLEDGES,
    DEFAULT_SEED,
    LOADED_MODELS,
    DemoSummary,
    demo_data_exists,
    seed_demo,
)
from .snapshot import ReferenceDataMissingError

__all__ = [
    "DEFAULT_PLEDGES",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "LOADED_MODELS",
    "SECRETARIAT_EMAIL",
    "STAKEHOLDER_EMAIL",
    "DemoSummary",
    "ReferenceDataMissingError",
    "demo_data_exists",
    "seed_demo",
]
