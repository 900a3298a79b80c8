"""Entries for public rows the feed has never recorded: rows that existed before the feed (the
data migration runs this once) or were loaded in bulk without the services (the demo loader,
`manage.py seed_change_feed`). Each gets one `created` entry, so that replaying the feed from
the start gives every public row.

What is public is not restated here: each resource's rows are the SQL of the queryset the
anonymous API lists (`public()`, `published()`, `visible_to(None)`). The data migration runs
this with the models as they are when it runs, so those querysets may only read columns that
existed at its dependencies (they do: review and verification states)."""

from typing import Any

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast


def public_rows() -> list[tuple[str, QuerySet[Any]]]:
    """(resource, a one-column queryset of the keys of its public rows), per followed list."""
    from indicators.models import IndicatorValue, ProgressSnapshot
    from matching.models import Match
    from partnerships.models import MultistakeholderPledge
    from pledges.models import Entity, Pledge, PledgeUpdate

    def text(field: str) -> Cast:
        return Cast(field, output_field=TextField())

    return [
        ("pledge", Pledge.objects.published().values_list("reference")),
        ("pledge_update", PledgeUpdate.objects.public().values_list(text("public_id"))),
        ("entity", Entity.objects.visible_to(None).values_list(text("public_id"))),
        ("match", Match.objects.public().values_list(text("public_id"))),
        ("multistakeholder_pledge", MultistakeholderPledge.objects.values_list("slug")),
        ("indicator_value", IndicatorValue.objects.values_list(text("id"))),
        ("progress_snapshot", ProgressSnapshot.objects.values_list(text("id"))),
    ]


def seed(cursor: Any) -> int:
    """Add the missing `created` entries in one transaction (the caller's); returns how many."""
    added = 0
    for resource, keys in public_rows():
        sql, params = keys.order_by().query.sql_with_params()
        cursor.execute(
            "INSERT INTO changefeed_change (xid, resource, key, action, at, reason, successor)"  # noqa: S608 -- compiled by the ORM
            " SELECT pg_current_xact_id()::text::bigint, %s, r.key, 'created', now(), '', ''"
            f" FROM ({sql}) AS r (key) WHERE NOT EXISTS (SELECT 1 FROM changefeed_change c"
            " WHERE c.resource = %s AND c.key = r.key) ORDER BY 3",
            [resource, *params, resource],
        )
        added += cursor.rowcount
    return added
