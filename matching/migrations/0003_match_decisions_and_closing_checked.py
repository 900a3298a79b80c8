"""Each side's decision is a known one and has its time; a match is closed exactly when it is
no longer proposed. Every writer (the services, matching 0002, the demo loader) already keeps
these rules: the checks only make the database refuse a row that breaks them."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_matches_from_links"),
        ("pledges", "0021_rounds_reaffirmations_co_pledger_updates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="match",
            constraint=models.CheckConstraint(
                condition=models.Q(("seeking_decision__in", ["", "accepted", "declined"])),
                name="match_seeking_decision_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="match",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("seeking_decision", ""), ("seeking_decided_at__isnull", False), _connector="OR"
                ),
                name="match_seeking_decided_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="match",
            constraint=models.CheckConstraint(
                condition=models.Q(("offering_decision__in", ["", "accepted", "declined"])),
                name="match_offering_decision_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="match",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("offering_decision", ""),
                    ("offering_decided_at__isnull", False),
                    _connector="OR",
                ),
                name="match_offering_decided_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="match",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("closed_at__isnull", True), ("state", "proposed")),
                    models.Q(
                        models.Q(("state", "proposed"), _negated=True), ("closed_at__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="match_closed_when_not_proposed",
            ),
        ),
    ]
