"""Every index a model declares in Meta.indexes exists in the migrated database exactly as Django
would build it, and the migrations describe the models.

Some indexes were created in raw SQL and later declared in Meta.indexes by a state-only migration
(pledges 0015): if a declaration and the index built by the migrations differ, the planner uses
the real one while the code reads the declared one. Each declared index is built again under
another name and compared with the migrated one through pg_get_indexdef.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

DECLARED = [
    pytest.param(model, index, id=index.name)
    for model in apps.get_models()
    for index in model._meta.indexes
]


def _definition(name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        row = cursor.fetchone()
    return None if row is None else row[0]


@pytest.mark.parametrize(("model", "index"), DECLARED)
def test_declared_index_is_the_migrated_one(model, index) -> None:
    migrated = _definition(index.name)
    assert migrated is not None, f"{index.name} is declared but the migrations never create it"
    copy = index.clone()
    copy.name = f"copy_{index.name}"
    with connection.schema_editor(atomic=True) as editor:
        editor.add_index(model, copy)

    assert _definition(copy.name).replace(copy.name, index.name, 1) == migrated


def test_migrations_describe_the_models() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}")
