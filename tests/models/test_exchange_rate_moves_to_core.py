"""Exchange rates moved from indicators to core (core 0003, indicators 0006): a database migrated
before the move keeps its rates, and the permissions granted on them, once migrated past it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import Currency, ExchangeRate

pytestmark = pytest.mark.django_db

BEFORE = [("core", "0002_audit_entry"), ("indicators", "0005_run_heartbeat_and_abandoned")]
AFTER = [("core", "0003_exchange_rate"), ("indicators", "0006_exchange_rate_moves_to_core")]
DAY = dt.date(2031, 1, 2)


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # Deferred foreign-key checks of the rows written so far must not be pending when a later
    # migration alters their table; the test's transaction still rolls everything back.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return executor


def test_a_rate_and_its_permissions_survive_the_move_to_core(reference_data: None) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    old_rate = old.get_model("indicators", "ExchangeRate")
    old_rate.objects.create(currency_id="EUR", date=DAY, usd_per_unit=Decimal("1.0825"))
    group = old.get_model("auth", "Group").objects.create(name="Rate keepers")
    group.permissions.add(
        old.get_model("auth", "Permission").objects.get(
            content_type__app_label="indicators", codename="change_exchangerate"
        )
    )

    _migrate(AFTER)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # read with today's models

    kept = ExchangeRate.objects.get(currency_id="EUR", date=DAY)
    assert kept.usd_per_unit == Decimal("1.0825")
    assert (
        Group.objects.get(name="Rate keepers")
        .permissions.filter(content_type__app_label="core", codename="change_exchangerate")
        .exists()
    )
    # The renamed table's id sequence still numbers new rows.
    added = ExchangeRate.objects.create(
        currency=Currency.objects.get(code="EUR"), date=DAY + dt.timedelta(days=1), usd_per_unit=1
    )
    assert added.pk > kept.pk
