"""`matches` and `contributes_to` stop being kinds of link (issue 17): matching 0002 turned every
`matches` link into a two-sided match, and partnerships 0002 turned every `contributes_to` link
to a multistakeholder pledge into a membership. A `contributes_to` link to any other pledge has
no home left: it is removed, and the removal is written to the source pledge's audit trail with
the target's reference, so its history still says what it contributed to. Then the kind's
choices and check constraint keep only `supersedes` and `duplicate_of`.
"""

from django.db import migrations, models

KEPT = ("supersedes", "duplicate_of")
REASON = (
    "Removed by migration pledges 0020: a pledge no longer contributes to another pledge; "
    "it joins a multistakeholder pledge instead."
)


def remove_old_links(apps, schema_editor):
    PledgeLink = apps.get_model("pledges", "PledgeLink")
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    left = PledgeLink.objects.exclude(kind__in=KEPT)
    if not left.exists():
        return
    pledge_type, _ = ContentType.objects.get_or_create(app_label="pledges", model="pledge")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {AuditEntry._meta.db_table}
                (content_type_id, object_id, action, reason, data, created_at)
            SELECT %s, link.source_id::text, 'pledges.link.removed', %s,
                   jsonb_build_object('target', target.reference, 'kind', link.kind), now()
            FROM {PledgeLink._meta.db_table} link
            JOIN {apps.get_model("pledges", "Pledge")._meta.db_table} target
              ON target.id = link.target_id
            WHERE link.kind <> ALL(%s)
            """,
            [pledge_type.pk, REASON, list(KEPT)],
        )
    left.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0019_duplicates_title_words_index"),
        ("core", "0005_currency_names_in_six_languages"),
        ("contenttypes", "0002_remove_content_type_name"),
        # The links these kinds named are moved first, by the apps that now own them.
        ("matching", "0002_matches_from_links"),
        ("partnerships", "0002_thematic_areas_and_links_become_memberships"),
    ]

    operations = [
        migrations.RunPython(remove_old_links, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="pledgelink",
            name="pledge_link_kind_valid",
        ),
        migrations.AlterField(
            model_name="pledgelink",
            name="kind",
            field=models.CharField(
                choices=[("supersedes", "Supersedes"), ("duplicate_of", "Duplicate of")],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledgelink",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["supersedes", "duplicate_of"])),
                name="pledge_link_kind_valid",
            ),
        ),
    ]
