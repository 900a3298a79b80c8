"""The database gives matches their public id when an insert leaves it out
(`gen_random_uuid()`), as pledges 0031 does for entities, pledges and updates: the demo loader's
COPY leaves the column to PostgreSQL. Django still sets it for every row it saves."""

import uuid

from django.contrib.postgres.functions import RandomUUID
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("matching", "0003_match_decisions_and_closing_checked")]

    operations = [
        migrations.AlterField(
            model_name="historicalmatch",
            name="public_id",
            field=models.UUIDField(
                db_default=RandomUUID(), db_index=True, default=uuid.uuid4, editable=False
            ),
        ),
        migrations.AlterField(
            model_name="match",
            name="public_id",
            field=models.UUIDField(
                db_default=RandomUUID(), default=uuid.uuid4, editable=False, unique=True
            ),
        ),
    ]
