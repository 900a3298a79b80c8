"""The demo shows pledges written in French and Spanish, each with an English translation."""

from typing import Any

import pytest
from django.test import Client

from pledges.models import Pledge, PledgeTranslation

from .test_seed_demo import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(reference_data: None, settings: Any) -> str:
    settings.DEBUG = True
    return seed_demo()


def test_a_few_pledges_are_written_in_french_and_spanish_when_seeded(seeded: str) -> None:
    languages = sorted(Pledge.objects.exclude(language="en").values_list("language", flat=True))

    assert languages == ["es", "es", "fr", "fr", "fr"]
    assert PledgeTranslation.objects.filter(language="en").count() == 5


def test_their_pages_and_search_show_the_feature_when_seeded(seeded: str, client: Client) -> None:
    pledge = Pledge.objects.filter(language="fr").order_by("pk").first()
    assert pledge is not None

    english = client.get(f"/pledges/{pledge.reference}/").content.decode()
    spanish = client.get(f"/es/pledges/{pledge.reference}/").content.decode()
    found = client.get("/fr/pledges/?q=enfant+réfugié+école").content.decode()

    assert "<h1>Welcome refugee children in national schools</h1>" in english
    assert f'<h1 lang="fr" dir="ltr">{pledge.title}</h1>' in spanish
    assert pledge.reference in found
    # The English translation's words find it from an English page too.
    assert pledge.reference in client.get("/pledges/?q=welcome+enrol").content.decode()
