"""The GRF 2023 MSPs shipped in bootstrap/data/multistakeholder_pledges.json: a plain reload
keeps the secretariat's edits (and fills empty translations), `--update` restores the file."""

from io import StringIO

import pytest
from django.core.management import call_command

from partnerships.models import MultistakeholderPledge

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def test_an_edited_title_survives_a_reload_and_update_restores_it(reference_data: None) -> None:
    MultistakeholderPledge.objects.filter(slug="asylum-capacity").update(
        title="Edited", title_en="Edited", title_fr=None
    )

    output = load()
    msp = MultistakeholderPledge.objects.get(slug="asylum-capacity")
    assert msp.title_en == "Edited"
    # An empty translation is filled.
    assert (
        msp.title_fr == "Capacités en matière d'asile - Groupe d'appui aux capacités d'asile (ACSG)"
    )
    others = MultistakeholderPledge.objects.filter(is_reference=True).count() - 1
    assert f"Multistakeholder pledges: 0 created, 1 updated, {others} unchanged" in output

    load("--update")
    msp.refresh_from_db()
    assert msp.title_en == "Asylum Capacity - Asylum Capacity Support Group (ACSG)"


def test_a_deleted_msp_is_recreated_with_its_forum(reference_data: None) -> None:
    MultistakeholderPledge.objects.filter(slug="resettlement").delete()
    assert "Multistakeholder pledges: 1 created" in load()
    assert MultistakeholderPledge.objects.get(slug="resettlement").forum.code == "GRF23"
