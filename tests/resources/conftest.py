"""Fixtures of the library tests: resources built through the services, files in a
temporary media folder."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from compacts.models import Objective
from resources.models import Resource
from resources.services import ResourceInput, create_resource, transition_resource


@pytest.fixture(autouse=True)
def _media(tmp_path: Path) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


@pytest.fixture
def make_resource(reference_data: None, secretariat: Any) -> Callable[..., Resource]:
    def make(
        title: str,
        *,
        objectives: tuple[str, ...] = ("GCM-23",),
        publish: bool = True,
        **fields: Any,
    ) -> Resource:
        chosen = [
            Objective.objects.get(compact__code=token.split("-")[0], number=token.split("-")[1])
            for token in objectives
        ]
        fields.setdefault("url", f"https://example.org/{title.lower().replace(' ', '-')}")
        resource = create_resource(
            data=ResourceInput(title=title, objectives=chosen, **fields), by=secretariat
        )
        if publish:
            transition_resource(resource=resource, action="publish", by=secretariat)
        return resource

    return make
