"""The old `matches` links become matches: each link "donor's pledge matches host's pledge"
(source offers, target seeks) becomes an ACCEPTED match decided by both sides at the link's
date by "migration" (no user), noted so; the links are then deleted. One INSERT … SELECT and
one DELETE, whatever the number of links (the benchmark databases hold tens of thousands)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NOTE = "migration"
MESSAGE = "Recorded by the migration from a “matches” link."


def links_to_matches(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    links = apps.get_model("pledges", "PledgeLink")._meta.db_table
    matches = apps.get_model("matching", "Match")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO "{matches}" (
                created_at, updated_at, public_id, seeking_id, offering_id, state, message,
                seeking_decision, seeking_decided_at, seeking_message,
                offering_decision, offering_decided_at, offering_message, closed_at, note
            )
            SELECT l.created_at, now(), gen_random_uuid(), l.target_id, l.source_id,
                   'accepted', %s, 'accepted', l.created_at, %s,
                   'accepted', l.created_at, %s, l.created_at, %s
            FROM "{links}" l
            WHERE l.kind = 'matches'
            ORDER BY l.id
            """,  # noqa: S608 — table names from the models, values as parameters
            [MESSAGE, MESSAGE, MESSAGE, NOTE],
        )
        cursor.execute(f"""DELETE FROM "{links}" WHERE kind = 'matches'""")  # noqa: S608


def matches_to_links(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Back: the migrated matches become links again."""
    links = apps.get_model("pledges", "PledgeLink")._meta.db_table
    matches = apps.get_model("matching", "Match")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO "{links}" (created_at, updated_at, source_id, target_id, kind)
            SELECT created_at, now(), offering_id, seeking_id, 'matches'
            FROM "{matches}" WHERE note = %s
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 — as above
            [NOTE],
        )
        cursor.execute(f'DELETE FROM "{matches}" WHERE note = %s', [NOTE])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("pledges", "0018_search_in_each_language"),
    ]

    operations = [migrations.RunPython(links_to_matches, matches_to_links)]
