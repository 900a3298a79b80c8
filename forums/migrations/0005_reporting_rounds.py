import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0004_compact_texts_in_six_languages"),
        ("forums", "0004_goals_participation_to_official_figures"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportingRound",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("opens_on", models.DateField(verbose_name="opens on")),
                ("closes_on", models.DateField(verbose_name="closes on")),
                (
                    "closed_early_on",
                    models.DateField(blank=True, null=True, verbose_name="closed early on"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "compact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reporting_rounds",
                        to="compacts.compact",
                        verbose_name="compact",
                    ),
                ),
                (
                    "forum",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty for a review moment between forums.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reporting_rounds",
                        to="forums.forum",
                        verbose_name="forum",
                    ),
                ),
            ],
            options={
                "verbose_name": "reporting round",
                "verbose_name_plural": "reporting rounds",
                "ordering": ["compact__code", "-opens_on", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("closes_on__gte", models.F("opens_on"))),
                        name="round_closes_after_opening",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("closed_early_on__isnull", True),
                            ("closed_early_on__gte", models.F("opens_on")),
                            _connector="OR",
                        ),
                        name="round_closed_early_after_opening",
                    ),
                ],
            },
        ),
    ]
