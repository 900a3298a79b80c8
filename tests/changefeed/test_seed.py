"""Seeding the feed with rows loaded in bulk (`manage.py seed_change_feed`): each public row gets
one `created` entry, and nothing else does."""

import io

import pytest
from django.core.management import call_command

from changefeed.models import Change
from tests.factories import EntityFactory, PledgeFactory, PledgeUpdateFactory

pytestmark = pytest.mark.django_db


def test_an_update_of_a_de_verified_co_pledger_is_not_seeded_as_public() -> None:
    pledge = PledgeFactory(review_state="published")  # of a verified entity
    own = PledgeUpdateFactory(pledge=pledge, review_state="approved")
    unverified = EntityFactory(is_verified=False, name="De-verified co-pledger")
    theirs = PledgeUpdateFactory(pledge=pledge, entity=unverified, review_state="approved")

    call_command("seed_change_feed", stdout=io.StringIO())

    seeded = set(Change.objects.filter(action="created").values_list("resource", "key"))
    assert ("pledge", pledge.reference) in seeded
    assert ("pledge_update", str(own.public_id)) in seeded
    assert ("pledge_update", str(theirs.public_id)) not in seeded
    assert ("entity", str(unverified.public_id)) not in seeded
