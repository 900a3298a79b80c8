"""Entries for public rows the feed has never recorded: rows that existed before the feed (the
data migration runs this once) or were loaded in bulk without the services (the demo loader,
`manage.py seed_change_feed`). Each gets one `created` entry, so that replaying the feed from
the start gives every public row. Plain SQL: the data migration cannot use the apps' querysets,
and the rules below are the querysets' `visible_to(anonymous)`, restated."""

from typing import Any

# (resource, key expression, FROM … WHERE …) of what the anonymous API lists.
PUBLIC_ROWS = (
    ("pledge", "p.reference", "pledges_pledge p WHERE p.review_state = 'published'"),
    (
        "pledge_update",
        "u.public_id::text",
        "pledges_pledgeupdate u JOIN pledges_pledge p ON p.id = u.pledge_id"
        " JOIN pledges_entity e ON e.id = u.entity_id"
        " WHERE u.review_state = 'approved' AND p.review_state = 'published' AND e.is_verified",
    ),
    ("entity", "e.public_id::text", "pledges_entity e WHERE e.is_verified"),
    (
        "match",
        "m.public_id::text",
        "matching_match m JOIN pledges_pledge s ON s.id = m.seeking_id"
        " JOIN pledges_pledge o ON o.id = m.offering_id WHERE m.state = 'accepted'"
        " AND s.review_state = 'published' AND o.review_state = 'published'",
    ),
    ("multistakeholder_pledge", "x.slug", "partnerships_multistakeholderpledge x WHERE TRUE"),
    ("indicator_value", "v.id::text", "indicators_indicatorvalue v WHERE TRUE"),
    ("progress_snapshot", "s.id::text", "indicators_progresssnapshot s WHERE TRUE"),
)


def seed(cursor: Any) -> int:
    """Add the missing `created` entries in one transaction (the caller's); returns how many."""
    added = 0
    for resource, key, rows in PUBLIC_ROWS:
        cursor.execute(
            "INSERT INTO changefeed_change (xid, resource, key, action, at, reason, successor)"  # noqa: S608 -- fixed SQL above
            f" SELECT pg_current_xact_id()::text::bigint, %s, {key}, 'created', now(), '', ''"
            f" FROM {rows} AND NOT EXISTS (SELECT 1 FROM changefeed_change c"
            f" WHERE c.resource = %s AND c.key = {key}) ORDER BY 3",
            [resource, resource],
        )
        added += cursor.rowcount
    return added
