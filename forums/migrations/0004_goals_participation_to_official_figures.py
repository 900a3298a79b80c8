"""The participation columns became goals.OfficialFigure rows (goals 0002 moved their values)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0003_forum_places_in_six_languages"),
        ("goals", "0002_forum_participation_to_figures"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="forum",
            name="countries_represented",
        ),
        migrations.RemoveField(
            model_name="forum",
            name="online_participants",
        ),
        migrations.RemoveField(
            model_name="forum",
            name="participants",
        ),
    ]
