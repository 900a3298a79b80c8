"""Issue 17, items 4 and 6: pledges announced outside any forum (nullable forum, the compacts'
continuous reference series), reaffirmations at later forums, progress updates answering a
reporting round, and updates reported by a co-pledging entity.

Existing pledges keep their forum. Every existing update was reported by the pledge's own
entity, so `PledgeUpdate.entity` is filled from it (one UPDATE, whatever the size) before the
column becomes NOT NULL.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0004_compact_texts_in_six_languages"),
        ("core", "0005_currency_names_in_six_languages"),
        ("forums", "0005_reporting_rounds"),
        ("pledges", "0020_link_kinds_moved_to_matches_and_memberships"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ContinuousReferenceCounter",
            fields=[
                (
                    "compact",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        serialize=False,
                        to="compacts.compact",
                    ),
                ),
                ("last_number", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "continuous reference counter",
                "verbose_name_plural": "continuous reference counters",
            },
        ),
        migrations.CreateModel(
            name="PledgeReaffirmation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reaffirmed_on", models.DateField(verbose_name="reaffirmed on")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "reaffirmation",
                "verbose_name_plural": "reaffirmations",
                "ordering": ["pledge_id", "reaffirmed_on", "id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="pledge",
            name="pledge_reference_format",
        ),
        migrations.AddField(
            model_name="pledgeupdate",
            name="entity",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pledge_updates",
                to="pledges.entity",
                verbose_name="reporting entity",
            ),
        ),
        migrations.RunSQL(
            """
            UPDATE pledges_pledgeupdate u SET entity_id = p.entity_id
            FROM pledges_pledge p WHERE p.id = u.pledge_id AND u.entity_id IS NULL
            """,
            migrations.RunSQL.noop,
        ),
        # The deferred foreign-key checks of that UPDATE must run before the ALTER TABLE below
        # (PostgreSQL refuses to alter a table with pending trigger events).
        migrations.RunSQL("SET CONSTRAINTS ALL IMMEDIATE", migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="pledgeupdate",
            name="entity",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pledge_updates",
                to="pledges.entity",
                verbose_name="reporting entity",
            ),
        ),
        migrations.AddField(
            model_name="pledgeupdate",
            name="round",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="updates",
                to="forums.reportinground",
                verbose_name="reporting round",
            ),
        ),
        migrations.AlterField(
            model_name="pledge",
            name="forum",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pledges",
                to="forums.forum",
            ),
        ),
        migrations.AddIndex(
            model_name="pledgeupdate",
            index=models.Index(
                condition=models.Q(("round__isnull", False)),
                fields=["round", "pledge"],
                name="update_round_pledge_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledge",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("reference__regex", "^([A-Z0-9]{2,10}-[0-9]{5,}|[A-Z]{2,10}-C-[0-9]{6,})$")
                ),
                name="pledge_reference_format",
            ),
        ),
        migrations.AddField(
            model_name="pledgereaffirmation",
            name="forum",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reaffirmations",
                to="forums.forum",
                verbose_name="forum",
            ),
        ),
        migrations.AddField(
            model_name="pledgereaffirmation",
            name="pledge",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reaffirmations",
                to="pledges.pledge",
            ),
        ),
        migrations.AddField(
            model_name="pledgereaffirmation",
            name="reaffirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="pledge_reaffirmations",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="pledgereaffirmation",
            index=models.Index(fields=["forum", "pledge"], name="reaffirmation_forum_idx"),
        ),
        migrations.AddConstraint(
            model_name="pledgereaffirmation",
            constraint=models.UniqueConstraint(
                fields=("pledge", "forum"), name="reaffirmation_unique_forum"
            ),
        ),
    ]
