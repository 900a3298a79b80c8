"""Database defaults for the columns an insert may leave out: entities, pledges and progress
updates get their public id from `gen_random_uuid()`, a pledge starts with an empty translation
search vector.

Django still sets both for every row it saves (the field's Python default wins). The demo
loader's COPY leaves these columns to PostgreSQL: `uuid.uuid4()` and formatting each value in
Python were ~11 % of the loader's Python time, on the thread that bounds a large load, and a
text-search vector has no binary COPY form from Python, so with it the pledges could not be
copied in binary (docs/performance.md, "Loader"). The historical pledge table copies the public
id field, so it gets the same default.
"""

import uuid

from django.contrib.postgres.functions import RandomUUID
from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models


def _public_id(*, unique: bool) -> models.UUIDField:
    return models.UUIDField(
        db_default=RandomUUID(),
        default=uuid.uuid4,
        editable=False,
        unique=unique,
        db_index=not unique,
    )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0030_entity_newest_and_serial_reaffirmations")]

    operations = [
        migrations.AlterField(
            model_name="entity", name="public_id", field=_public_id(unique=True)
        ),
        migrations.AlterField(
            model_name="historicalpledge", name="public_id", field=_public_id(unique=False)
        ),
        migrations.AlterField(
            model_name="pledge", name="public_id", field=_public_id(unique=True)
        ),
        migrations.AlterField(
            model_name="pledgeupdate", name="public_id", field=_public_id(unique=True)
        ),
        migrations.AlterField(
            model_name="pledge",
            name="translation_search_vector",
            field=SearchVectorField(db_default="", default="", editable=False),
        ),
    ]
