"""Look-alike entity names and declined registrations (issue 14, items 2 and 17).

The duplicate check moves from the typed name per type (`entity_name_unique_per_type`) to the
name's two TR 39 look-alike keys across every type (`pledges.names`); declined registrations
free their name. The keys are NULL until 0014 fills them, so the partial unique indexes can be
created here.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_audit_entry'),
        ('pledges', '0012_history_reason_is_text'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='entity',
            name='entity_name_unique_per_type',
        ),
        migrations.AddField(
            model_name='entity',
            name='cased_name_skeleton',
            field=models.TextField(blank=True, editable=False, null=True, verbose_name='name skeleton (case kept)'),
        ),
        migrations.AddField(
            model_name='entity',
            name='decline_reason',
            field=models.TextField(blank=True, verbose_name='reason for declining'),
        ),
        migrations.AddField(
            model_name='entity',
            name='declined_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='declined at'),
        ),
        migrations.AddField(
            model_name='entity',
            name='name_skeleton',
            field=models.TextField(blank=True, editable=False, null=True, verbose_name='name skeleton'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.UniqueConstraint(condition=models.Q(('declined_at__isnull', True)), fields=('name_skeleton',), name='entity_name_skeleton_unique', violation_error_message='An entity with a name that looks the same exists.'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.UniqueConstraint(condition=models.Q(('declined_at__isnull', True)), fields=('cased_name_skeleton',), name='entity_cased_name_skeleton_unique', violation_error_message='An entity with a name that looks the same exists.'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.CheckConstraint(condition=models.Q(('is_verified', False), ('declined_at__isnull', True), _connector='OR'), name='entity_not_both_verified_and_declined'),
        ),
    ]
