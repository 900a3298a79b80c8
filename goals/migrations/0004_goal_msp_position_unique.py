"""An MSP's goals have distinct positions, as a forum's do (the services number them
last + 1; the demo gives each MSP one goal)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0005_reporting_rounds"),
        ("goals", "0003_goals_of_multistakeholder_pledges"),
        ("partnerships", "0002_thematic_areas_and_links_become_memberships"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="goal",
            constraint=models.UniqueConstraint(
                fields=("msp", "position"), name="goal_msp_position_unique"
            ),
        ),
    ]
