"""No changelist of ours makes a query per row: twice the rows, the same number of queries."""

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .rows import build_rows
from .test_admin_pages import OUR_MODELS

pytestmark = pytest.mark.django_db


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model._meta.label)
def test_changelist_query_count_stays_flat_when_rows_double(
    admin_client: Client, model: type[Model]
) -> None:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    build_rows(0)
    with_one = count_queries(admin_client, url)
    build_rows(1)

    with_two = count_queries(admin_client, url)

    assert with_two == with_one
