"""ExchangeRate moves here from indicators (issue 15): the model enters core's state and its
table, with the rows it holds, is renamed. Its sequence, indexes and foreign key get the names
Django gives them on a fresh database, so an old database and a new one look the same. The
content type moves too, so the permissions granted on exchange rates are kept."""

import django.db.models.deletion
from django.db import migrations, models

# (kind, name while in indicators, name in core), as Django names them for each table.
RENAMED = [
    ("TABLE", "indicators_exchangerate", "core_exchangerate"),
    ("SEQUENCE", "indicators_exchangerate_id_seq", "core_exchangerate_id_seq"),
    ("INDEX", "indicators_exchangerate_pkey", "core_exchangerate_pkey"),
    (
        "INDEX",
        "indicators_exchangerate_currency_id_d704685b",
        "core_exchangerate_currency_id_eb82bca7",
    ),
    (
        "INDEX",
        "indicators_exchangerate_currency_id_d704685b_like",
        "core_exchangerate_currency_id_eb82bca7_like",
    ),
]
FOREIGN_KEY = (
    "indicators_exchanger_currency_id_d704685b_fk_core_curr",
    "core_exchangerate_currency_id_eb82bca7_fk_core_currency_code",
)


def rename_sql(forward: bool) -> list[str]:
    renames = [(kind, old, new) if forward else (kind, new, old) for kind, old, new in RENAMED]
    tables = [f'ALTER {kind} "{source}" RENAME TO "{target}"' for kind, source, target in renames]
    source, target = FOREIGN_KEY if forward else FOREIGN_KEY[::-1]
    # Addressed by the table's core name: renamed after the table going forward, before it back.
    constraint = f'ALTER TABLE "core_exchangerate" RENAME CONSTRAINT "{source}" TO "{target}"'
    return [*tables, constraint] if forward else [constraint, *reversed(tables)]


def move_content_type(apps, schema_editor, source="indicators", target="core"):
    """Relabel the content type rather than let a new one be created: the permissions (and
    admin log entries) that point to it stay valid. A fresh database has none yet."""
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=target, model="exchangerate").exists():
        content_type.objects.filter(app_label=source, model="exchangerate").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="core", target="indicators")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_audit_entry"),
        ("indicators", "0006_exchange_rate_moves_to_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExchangeRate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("date", models.DateField(verbose_name="date")),
                        (
                            "usd_per_unit",
                            models.DecimalField(
                                decimal_places=10, max_digits=20, verbose_name="USD per unit"
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, max_length=200, verbose_name="source"),
                        ),
                        (
                            "currency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rates",
                                to="core.currency",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "exchange rate",
                        "verbose_name_plural": "exchange rates",
                        "ordering": ["currency_id", "-date"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("currency", "date"), name="exchange_rate_unique"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("usd_per_unit__gt", 0)),
                                name="exchange_rate_positive",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[
                migrations.RunSQL(sql=rename_sql(forward=True), reverse_sql=rename_sql(False)),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
